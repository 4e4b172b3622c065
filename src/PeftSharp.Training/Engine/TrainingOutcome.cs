namespace PeftSharp.Training.Engine;

using System.Collections.Generic;

/// <summary>What a training run did.</summary>
/// <param name="Steps">Optimizer steps taken in total (including those before a resume).</param>
/// <param name="Reason">Why it ended.</param>
/// <param name="BestStep">Step of the best evaluation, or -1 without evaluations.</param>
/// <param name="BestValue">The best value of the monitored metric, or NaN.</param>
/// <param name="LastEvaluation">The last evaluation's metrics (empty without evaluations).</param>
/// <param name="LastCheckpoint">The folder of the last checkpoint written, or null.</param>
public sealed record TrainingOutcome(
    long Steps,
    StopReason Reason,
    long BestStep,
    double BestValue,
    IReadOnlyDictionary<string, double> LastEvaluation,
    string? LastCheckpoint);
