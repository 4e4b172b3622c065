namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PeftSharp.Tracking;
using PeftSharp.Training.Experiments;

/// <summary>
/// The pieces of <c>reproduce &lt;run-id&gt;</c>: the command line that reruns a recorded run from its params, and the
/// metric-by-metric comparison of the rerun with the original.
/// </summary>
public static class RunReproduction
{
    /// <summary>Metric prefixes that measure the machine, not the model: they are not expected to match.</summary>
    public static IReadOnlyList<string> MachineMetricPrefixes { get; } = ["system/", "time/", "memory/"];

    /// <summary>
    /// The arguments that rerun <paramref name="record"/>: each hyperparameter of <paramref name="info"/> from its logged
    /// param, plus the runner's <c>--seed</c> and <c>--device</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run is not a run of this experiment (none of its hyperparameters was logged).</exception>
    public static IReadOnlyList<string> Arguments(ExperimentInfo info, RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(record);
        var args = new List<string>();
        foreach (var parameter in info.Parameters)
        {
            if (record.Params.TryGetValue(parameter.LogName, out var value))
            {
                args.Add($"--{parameter.Name}");
                args.Add(value);
            }
        }

        if (args.Count == 0 && info.Parameters.Count > 0)
        {
            throw new InvalidOperationException(
                $"Run {record.Info.RunId} ('{record.Info.RunName}') has none of {info.Name}'s hyperparameters as params: it is not a run of this experiment, or a sweep's parent run (reproduce one of its child runs).");
        }

        foreach (var (param, option) in new[] { (RunNames.Seed, "seed"), ("device", "device"), (RunNames.BaseDtype, "base-dtype") })
        {
            if (info.Parameters.All(p => p.Name != option) && record.Params.TryGetValue(param, out var value))
            {
                args.Add($"--{option}");
                args.Add(value);
            }
        }

        return args;
    }

    /// <summary>The dataset digests the run logged (<c>dataset.&lt;name&gt;.digest</c> params), keyed by dataset name.</summary>
    public static IReadOnlyDictionary<string, string> DatasetDigests(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Params
            .Where(p => p.Key.StartsWith("dataset.", StringComparison.Ordinal) && p.Key.EndsWith(".digest", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["dataset.".Length..^".digest".Length], p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Compares every metric the original run logged (except <see cref="MachineMetricPrefixes"/>) with the rerun's,
    /// point by point (step and value, bit for bit).
    /// </summary>
    public static IReadOnlyList<MetricComparison> CompareMetrics(ITrackingClient tracking, string originalRunId, string rerunId)
    {
        ArgumentNullException.ThrowIfNull(tracking);
        var original = tracking.GetRun(originalRunId);
        var rerun = tracking.GetRun(rerunId);
        var results = new List<MetricComparison>();
        foreach (var key in original.LatestMetrics.Keys.Where(k => !MachineMetricPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).Order(StringComparer.Ordinal))
        {
            if (!rerun.LatestMetrics.ContainsKey(key))
            {
                results.Add(new MetricComparison(key, false, "missing in the rerun"));
                continue;
            }

            var before = tracking.GetMetricHistory(originalRunId, key);
            var after = tracking.GetMetricHistory(rerunId, key);
            var difference = Enumerable.Range(0, Math.Min(before.Count, after.Count))
                .FirstOrDefault(i => before[i].Step != after[i].Step || BitConverter.DoubleToInt64Bits(before[i].Value) != BitConverter.DoubleToInt64Bits(after[i].Value), -1);
            results.Add(difference >= 0
                ? new MetricComparison(key, false, string.Create(CultureInfo.InvariantCulture,
                    $"differs at point {difference + 1}: step {before[difference].Step} = {before[difference].Value:R}, rerun step {after[difference].Step} = {after[difference].Value:R}"))
                : before.Count != after.Count
                    ? new MetricComparison(key, false, string.Create(CultureInfo.InvariantCulture, $"{before.Count} points, the rerun {after.Count}"))
                    : new MetricComparison(key, true, string.Create(CultureInfo.InvariantCulture, $"{before.Count} point(s), last {before[^1].Value:R}")));
        }

        return results;
    }
}
