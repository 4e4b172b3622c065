namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

/// <summary>
/// A run that is open until ended: the runner logs to it and ends it with <see cref="End"/>. Disposing a run that was
/// not ended marks it <see cref="RunStatus.Failed"/>, on the assumption that an exception escaped the
/// <c>using</c> block; so on success call <c>End(RunStatus.Finished)</c> explicitly before it is disposed.
/// </summary>
public sealed class TrackedRun : IDisposable
{
    private readonly Lock _gate = new();
    private RunInfo _info;
    private bool _ended;

    private TrackedRun(ITrackingClient client, RunInfo info)
    {
        Client = client;
        _info = info;
    }

    /// <summary>The client the run logs through.</summary>
    public ITrackingClient Client { get; }

    /// <summary>The run's info; after <see cref="End"/> it carries the final status and end time.</summary>
    public RunInfo Info
    {
        get
        {
            lock (_gate)
            {
                return _info;
            }
        }
    }

    /// <summary>The run id.</summary>
    public string RunId => _info.RunId;

    /// <summary>Whether <see cref="End"/> (or <see cref="Dispose"/>) has ended the run.</summary>
    public bool IsEnded
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>Creates a run in the named experiment (created if missing).</summary>
    /// <param name="client">The tracking backend.</param>
    /// <param name="experimentName">The experiment name.</param>
    /// <param name="runName">The run's display name.</param>
    /// <param name="tags">Extra tags for the run.</param>
    /// <returns>The open run.</returns>
    public static TrackedRun Start(ITrackingClient client, string experimentName, string runName, IReadOnlyList<RunTag>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        string experimentId = client.GetOrCreateExperiment(experimentName);
        return new TrackedRun(client, client.CreateRun(experimentId, runName, tags));
    }

    /// <summary>Logs parameters in one batch; parameters are write-once (the same value again is fine).</summary>
    /// <param name="parameters">The parameters.</param>
    public void LogParams(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var batch = parameters.Select(p => new Param(p.Key, p.Value)).ToList();
        if (batch.Count != 0)
        {
            Client.LogBatch(RunId, [], batch, []);
        }
    }

    /// <summary>Logs one metric point, timestamped now.</summary>
    /// <param name="key">The metric key.</param>
    /// <param name="value">The value.</param>
    /// <param name="step">The training step.</param>
    public void LogMetric(string key, double value, long step) =>
        Client.LogBatch(RunId, [new Metric(key, value, NowMs(), step)], [], []);

    /// <summary>Logs several metrics for one step in one batch (one request for a REST backend), timestamped now.</summary>
    /// <param name="values">Metric keys and values.</param>
    /// <param name="step">The training step.</param>
    public void LogMetrics(IEnumerable<KeyValuePair<string, double>> values, long step)
    {
        ArgumentNullException.ThrowIfNull(values);
        long now = NowMs();
        var batch = values.Select(v => new Metric(v.Key, v.Value, now, step)).ToList();
        if (batch.Count != 0)
        {
            Client.LogBatch(RunId, batch, [], []);
        }
    }

    /// <summary>Sets a tag, overwriting any earlier value.</summary>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The value.</param>
    public void SetTag(string key, string value) =>
        Client.LogBatch(RunId, [], [], [new RunTag(key, value)]);

    /// <summary>Ends the run with a status and the current time as end time; later calls do nothing.</summary>
    /// <param name="status">The final status, normally <see cref="RunStatus.Finished"/>.</param>
    public void End(RunStatus status)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            long end = NowMs();
            Client.UpdateRun(RunId, status, end);
            _info = _info with { Status = status, EndTimeMs = end };
            _ended = true;
        }
    }

    /// <summary>
    /// Ends the run as <see cref="RunStatus.Failed"/> if <see cref="End"/> was not called: a run still open here was
    /// left by an exception. A run already ended keeps its status.
    /// </summary>
    public void Dispose() => End(RunStatus.Failed);

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
