namespace PeftSharp.Training.Runner;

using System;
using PeftSharp.Tracking;

/// <summary>
/// Sends training metrics to an MLflow run. With a prefix, a phase's <c>train/</c> metrics are renamed
/// (<c>train/loss</c> becomes <c>pretrain/loss</c>) so that two phases share one run.
/// </summary>
/// <param name="run">The run.</param>
/// <param name="prefix">Replaces <c>train/</c> and is put before other keys; empty keeps the keys.</param>
public sealed class RunMetricSink(TrackedRun run, string prefix = "") : IMetricSink
{
    private const string Train = "train/";

    /// <inheritdoc />
    public void LogMetric(string key, double value, long step)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = prefix.Length == 0 ? key : prefix + (key.StartsWith(Train, StringComparison.Ordinal) ? key[Train.Length..] : key);
        run.LogMetric(name, value, step);
    }
}
