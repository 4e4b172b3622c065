namespace PeftSharp.Tracking;

using System.Collections.Generic;

/// <summary>What <see cref="RunComparison.Load"/> lists and how it orders the runs.</summary>
public sealed class CompareOptions
{
    /// <summary>Show every param, not only those whose value differs between runs (default false).</summary>
    public bool AllParams { get; set; }

    /// <summary>The metrics to show; null or empty for all.</summary>
    public IReadOnlyList<string>? Metrics { get; set; }

    /// <summary>Which value of each metric to show (default <see cref="MetricSummary.Final"/>).</summary>
    public MetricSummary Summary { get; set; } = MetricSummary.Final;

    /// <summary>The metric to sort by; null keeps the newest run first.</summary>
    public string? SortMetric { get; set; }

    /// <summary>Sort descending; null picks ascending for losses and errors, descending otherwise.</summary>
    public bool? SortDescending { get; set; }

    /// <summary>Only these runs (ids or names); null or empty for all of the experiment's active runs.</summary>
    public IReadOnlyList<string>? Runs { get; set; }
}
