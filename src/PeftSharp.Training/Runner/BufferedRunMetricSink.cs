namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using PeftSharp.Tracking;

/// <summary>
/// Collects a training phase's per-step metrics and sends them to the run in batches (every
/// <see cref="MaxPoints"/> points or <see cref="MaxDelay"/>, and on <see cref="Flush"/>): one file-store append or
/// REST request per batch instead of one per metric per step, which would otherwise cost a large share of a small
/// model's step. Each point keeps the time it was logged.
/// </summary>
internal sealed class BufferedRunMetricSink(TrackedRun run, string prefix = "") : IMetricSink
{
    public const int MaxPoints = 500;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);
    private const string Train = "train/";
    private readonly List<Metric> pending = [];
    private long lastFlush = Stopwatch.GetTimestamp();

    public void LogMetric(string key, double value, long step)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = prefix.Length == 0 ? key : prefix + (key.StartsWith(Train, StringComparison.Ordinal) ? key[Train.Length..] : key);
        pending.Add(new Metric(name, value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), step));
        if (pending.Count >= MaxPoints || Stopwatch.GetElapsedTime(lastFlush) >= MaxDelay)
        {
            Flush();
        }
    }

    public void Flush()
    {
        lastFlush = Stopwatch.GetTimestamp();
        if (pending.Count == 0)
        {
            return;
        }

        run.Client.LogBatch(run.RunId, [.. pending], [], []);
        pending.Clear();
    }
}
