namespace PeftSharp.Tracking;

/// <summary>One point of a metric's history.</summary>
/// <param name="Key">The metric name; a <c>/</c> groups metrics into sections in the MLflow UI (<c>train/loss</c>).</param>
/// <param name="Value">The value; NaN and infinities are allowed.</param>
/// <param name="TimestampMs">When the value was recorded, in Unix epoch milliseconds.</param>
/// <param name="Step">The training step the value belongs to (MLflow's default is 0).</param>
public sealed record Metric(string Key, double Value, long TimestampMs, long Step);
