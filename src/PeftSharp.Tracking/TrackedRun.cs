namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

/// <summary>
/// A run that is open until ended: the runner logs to it and ends it with <see cref="End"/>. Disposing a run that was
/// not ended marks it <see cref="RunStatus.Failed"/>, on the assumption that an exception escaped the
/// <c>using</c> block; so on success call <c>End(RunStatus.Finished)</c> explicitly before it is disposed.
/// </summary>
public sealed class TrackedRun : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<SystemMetricsSampler> _samplers = [];
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

    /// <summary>
    /// Creates a run where MLflow's environment says: <c>MLFLOW_EXPERIMENT_ID</c>, else <c>MLFLOW_EXPERIMENT_NAME</c>,
    /// else <paramref name="defaultExperimentName"/>; with <c>MLFLOW_RUN_ID</c> set, that existing run is resumed
    /// (status back to RUNNING) instead of creating one.
    /// </summary>
    /// <param name="client">The tracking backend.</param>
    /// <param name="defaultExperimentName">The program's experiment when the environment names none.</param>
    /// <param name="runName">The display name of a new run.</param>
    /// <param name="tags">Extra tags for a new run.</param>
    /// <param name="getVariable">Looks up an environment variable; null for the process environment.</param>
    /// <returns>The open run.</returns>
    public static TrackedRun StartFromEnvironment(
        ITrackingClient client, string defaultExperimentName, string runName, IReadOnlyList<RunTag>? tags = null, Func<string, string?>? getVariable = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        getVariable ??= Environment.GetEnvironmentVariable;
        string? runId = getVariable("MLFLOW_RUN_ID");
        if (!string.IsNullOrWhiteSpace(runId))
        {
            return Resume(client, runId.Trim());
        }

        var (experimentId, experimentName) = TrackingClients.ExperimentFromEnvironment(defaultExperimentName, getVariable);
        string id = experimentId ?? client.GetOrCreateExperiment(experimentName);
        return new TrackedRun(client, client.CreateRun(id, runName, tags));
    }

    /// <summary>Reopens an existing run (sets it RUNNING again); params already logged keep their values.</summary>
    /// <param name="client">The tracking backend.</param>
    /// <param name="runId">The run to resume.</param>
    /// <returns>The open run.</returns>
    public static TrackedRun Resume(ITrackingClient client, string runId)
    {
        ArgumentNullException.ThrowIfNull(client);
        var record = client.GetRun(runId);
        client.UpdateRun(runId, RunStatus.Running, null);
        return new TrackedRun(client, record.Info with { Status = RunStatus.Running, EndTimeMs = null });
    }

    /// <summary>
    /// Creates a child run in the same experiment, tagged <c>mlflow.parentRunId</c> (the MLflow UI nests it under this
    /// run): one trial of a sweep.
    /// </summary>
    /// <param name="runName">The child's display name.</param>
    /// <param name="tags">Extra tags.</param>
    /// <returns>The open child run.</returns>
    public TrackedRun StartChild(string runName, IReadOnlyList<RunTag>? tags = null)
    {
        var all = new List<RunTag>(tags ?? []) { new(SystemTags.ParentRunId, RunId) };
        return new TrackedRun(Client, Client.CreateRun(Info.ExperimentId, runName, all));
    }

    /// <summary>Records the datasets the run used (MLflow's dataset inputs).</summary>
    /// <param name="inputs">The datasets.</param>
    public void LogInputs(params DatasetInput[] inputs) => Client.LogInputs(RunId, inputs);

    /// <summary>Stores a file as an artifact of the run.</summary>
    /// <param name="localPath">The file.</param>
    /// <param name="artifactDirectory">The folder inside the run's artifacts; null for the top level.</param>
    public void LogArtifact(string localPath, string? artifactDirectory = null) => Client.LogArtifact(RunId, localPath, artifactDirectory);

    /// <summary>
    /// Starts sampling CPU, memory, disk and GPU use into <c>system/...</c> metrics every <paramref name="interval"/>
    /// (default 10 s) until the returned sampler is disposed or the run ends.
    /// </summary>
    /// <param name="interval">The sampling interval.</param>
    /// <returns>The running sampler.</returns>
    public SystemMetricsSampler StartSystemMetrics(TimeSpan? interval = null)
    {
        var sampler = new SystemMetricsSampler(this, interval ?? SystemMetricsSampler.DefaultInterval);
        lock (_gate)
        {
            _samplers.Add(sampler);
        }

        sampler.Start();
        return sampler;
    }

    /// <summary>
    /// Ends the run as KILLED when the process gets Ctrl-C (SIGINT) or SIGTERM. With <paramref name="cancel"/>, the
    /// signal only cancels that source and the process goes on (the runner stops training and calls
    /// <see cref="EndFor"/>); without it, the run is ended KILLED (and flushed) and the process terminates as usual.
    /// </summary>
    /// <param name="cancel">Cancelled on the signal instead of terminating the process; null to terminate.</param>
    /// <returns>Dispose to remove the handlers.</returns>
    public IDisposable KillOnInterrupt(CancellationTokenSource? cancel = null)
    {
        void Handle(PosixSignalContext context)
        {
            if (cancel is not null)
            {
                context.Cancel = true;
                cancel.Cancel();
                return;
            }

            End(RunStatus.Killed);
        }

        var registrations = new List<PosixSignalRegistration>
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        };
        return new Registrations(registrations);
    }

    /// <summary>
    /// Ends the run with the status an outcome calls for: no exception, FINISHED; an <see cref="OperationCanceledException"/>
    /// (Ctrl-C through <see cref="KillOnInterrupt"/>), KILLED; any other exception, FAILED.
    /// </summary>
    /// <param name="exception">What ended the training, or null on success.</param>
    public void EndFor(Exception? exception) => End(exception switch
    {
        null => RunStatus.Finished,
        OperationCanceledException => RunStatus.Killed,
        _ => RunStatus.Failed,
    });

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
        List<SystemMetricsSampler> samplers;
        lock (_gate)
        {
            samplers = [.. _samplers];
            _samplers.Clear();
        }

        // Stop sampling first: its last points belong to the run, before the final status.
        foreach (var sampler in samplers)
        {
            sampler.Dispose();
        }

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

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
