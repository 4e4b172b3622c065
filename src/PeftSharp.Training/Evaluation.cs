namespace PeftSharp.Training;

/// <summary>A classifier's quality on one dataset.</summary>
/// <param name="Accuracy">Share of rows classified correctly.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Rows">Rows evaluated.</param>
public sealed record Evaluation(double Accuracy, double Loss, int Rows);
