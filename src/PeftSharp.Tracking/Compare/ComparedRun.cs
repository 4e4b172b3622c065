namespace PeftSharp.Tracking;

using System.Collections.Generic;

/// <summary>One row of a <see cref="RunComparison"/>.</summary>
/// <param name="Info">The run.</param>
/// <param name="Params">All of the run's params.</param>
/// <param name="Metrics">The summarised value of each metric.</param>
public sealed record ComparedRun(RunInfo Info, IReadOnlyDictionary<string, string> Params, IReadOnlyDictionary<string, double> Metrics);
