namespace PeftSharp.Training.Runner;

/// <summary>How one metric of a reproduced run compares with the original.</summary>
/// <param name="Key">The metric.</param>
/// <param name="Matches">Every (step, value) point is identical.</param>
/// <param name="Detail">What was compared, or the first difference.</param>
public sealed record MetricComparison(string Key, bool Matches, string Detail);
