namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// Pushes runs of a local file store to a tracking server (the <c>sync</c> command). Idempotent: a run already pushed
/// is found by its <see cref="SourceRunTag"/> and only what the server lacks is sent (metric points are compared as
/// multisets of (timestamp, step, value) per key), so running it twice duplicates nothing.
/// </summary>
public static class StoreSync
{
    /// <summary>The tag a pushed run carries: the id of the local run it came from.</summary>
    public const string SourceRunTag = "peftsharp.source_run_id";

    /// <summary>Pushes every active run of the named experiments (all experiments with runs when none is named).</summary>
    /// <param name="source">The local store.</param>
    /// <param name="target">The server.</param>
    /// <param name="experimentNames">Experiments to push; null or empty for all.</param>
    /// <param name="log">Receives one line per run.</param>
    /// <param name="cancellationToken">Cancels the push.</param>
    /// <returns>(runs pushed or updated, metric points sent).</returns>
    public static async Task<(int Runs, long Points)> PushAsync(
        MlflowFileStore source, MlflowRestClient target, IReadOnlyList<string>? experimentNames, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var experiments = source.ListExperiments();
        if (experimentNames is { Count: > 0 })
        {
            foreach (string name in experimentNames)
            {
                if (!experiments.Any(e => e.Value == name))
                {
                    throw new ArgumentException($"The store at {source.RootDirectory} has no active experiment named '{name}'.", nameof(experimentNames));
                }
            }

            experiments = experiments.Where(e => experimentNames.Contains(e.Value)).ToList();
        }

        int runs = 0;
        long points = 0;
        foreach (var (localExperimentId, name) in experiments)
        {
            var localRuns = source.ListRuns(localExperimentId);
            if (localRuns.Count == 0)
            {
                continue;
            }

            string remoteExperimentId = await target.GetOrCreateExperimentAsync(name, cancellationToken).ConfigureAwait(false);
            foreach (var info in localRuns.OrderBy(r => r.StartTimeMs))
            {
                long sent = await PushRunAsync(source, target, info, remoteExperimentId, log, cancellationToken).ConfigureAwait(false);
                runs++;
                points += sent;
            }
        }

        return (runs, points);
    }

    private static async Task<long> PushRunAsync(
        MlflowFileStore source, MlflowRestClient target, RunInfo info, string remoteExperimentId, TextWriter log, CancellationToken cancellationToken)
    {
        var record = source.GetRun(info.RunId);
        var existing = await target.SearchRunsAsync([remoteExperimentId], $"tags.`{SourceRunTag}` = '{info.RunId}'", null, cancellationToken).ConfigureAwait(false);
        string remoteId;
        if (existing.Count != 0)
        {
            remoteId = existing[0].Info.RunId;
        }
        else
        {
            var tags = record.Tags.Select(t => new RunTag(t.Key, t.Value)).Append(new RunTag(SourceRunTag, info.RunId)).ToList();
            remoteId = (await target.CreateRunAsync(remoteExperimentId, info.RunName, tags, info.StartTimeMs, null, cancellationToken).ConfigureAwait(false)).RunId;
        }

        var parameters = record.Params.Select(p => new Param(p.Key, p.Value)).ToList();
        var runTags = record.Tags.Select(t => new RunTag(t.Key, t.Value)).Append(new RunTag(SourceRunTag, info.RunId)).ToList();
        await target.DeliverBatchAsync(remoteId, [], parameters, runTags, false, static _ => [], null, cancellationToken).ConfigureAwait(false);

        long sent = 0;
        foreach (string key in record.LatestMetrics.Keys.Order(StringComparer.Ordinal))
        {
            var local = source.GetMetricHistory(info.RunId, key);

            // What the server lacks: the local history minus what is there (an earlier, possibly interrupted, sync).
            var missing = await target.MissingMetricsAsync(remoteId, local, static _ => [], cancellationToken).ConfigureAwait(false);
            if (missing.Count != 0)
            {
                await target.DeliverBatchAsync(remoteId, missing, [], [], false, static _ => [], null, cancellationToken).ConfigureAwait(false);
                sent += missing.Count;
            }
        }

        var inputs = source.GetInputs(info.RunId);
        if (inputs.Count != 0)
        {
            await target.LogInputsAsync(remoteId, inputs, cancellationToken).ConfigureAwait(false);
        }

        string artifacts = source.GetArtifactDirectory(info.RunId);
        int uploaded = 0;
        foreach (string file in Directory.EnumerateFiles(artifacts, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(artifacts, Path.GetDirectoryName(file)!).Replace('\\', '/');
            await target.LogArtifactAsync(remoteId, file, relative == "." ? null : relative, cancellationToken).ConfigureAwait(false);
            uploaded++;
        }

        await target.UpdateRunAsync(remoteId, info.Status, info.EndTimeMs, cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{info.RunId} ({info.RunName}) -> {target.Options.DisplayUri} run {remoteId}: {sent} new metric points, {parameters.Count} params, {inputs.Count} inputs, {uploaded} artifacts, {info.Status.ToRestName()}.")).ConfigureAwait(false);
        return sent;
    }
}
