namespace PeftSharp.Tracking;

using System.Collections.Generic;

/// <summary>A run with its data: parameters, tags and the latest value of each metric.</summary>
/// <param name="Info">The run's identity and state.</param>
/// <param name="Params">Parameters by key.</param>
/// <param name="Tags">Tags by key, system tags (<c>mlflow.*</c>) included.</param>
/// <param name="LatestMetrics">
/// For each metric key the point MLflow reports as latest: the largest step, then the latest timestamp, then the
/// largest value (NaN counting as smallest).
/// </param>
public sealed record RunRecord(
    RunInfo Info,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, Metric> LatestMetrics);
