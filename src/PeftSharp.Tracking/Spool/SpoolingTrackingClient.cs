namespace PeftSharp.Tracking;

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// The tracking client for a server that training never waits on: every call is validated, appended to the run's
/// journal on disk and returns; a background task delivers the journal in order, in batches, and keeps retrying
/// while the server is unreachable. Ending a run waits (up to <see cref="SpoolOptions.FlushTimeout"/>) for delivery;
/// what is still undelivered stays in the spool for the next run of this process or for <c>sync --spool</c>.
/// </summary>
/// <remarks>
/// Delivery guarantee: every record reaches the server once. Params and tags are idempotent; metric batches whose
/// outcome is unknown (a timeout or dropped connection after sending, 500/502/504, a crash mid-request) are reconciled
/// against the server's metric history: a point is sent again only if the server holds fewer copies of it (same key,
/// timestamp, step and value) than the journal has delivered before plus this batch. The one case this cannot tell
/// apart is another writer logging identical points (same key, millisecond, step and value) to the same run at the
/// same time; MLflow has no request ids to do better.
/// </remarks>
public sealed class SpoolingTrackingClient : ITrackingClient, IDisposable
{
    /// <summary>The run tag that links a server run to the spool it came from (used to find a run whose creation answer was lost).</summary>
    public const string SpoolIdTag = "peftsharp.spool_id";

    /// <summary>The prefix of the experiment id returned while the server is unreachable; the name is resolved on delivery.</summary>
    public const string OfflineExperimentPrefix = "offline:";

    private readonly SpoolOptions _options;
    private readonly ConcurrentDictionary<string, RunSpool> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _params = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly object _progressGate = new();
    private TimeSpan _backoff;
    private volatile bool _offline;
    private volatile bool _unreachable;
    private long _unreachableFailures;
    private int _sinceWake;
    private bool _warnedOffline;
    private int _disposed;

    /// <summary>Creates the client and starts its delivery task.</summary>
    /// <param name="server">The REST client for the server.</param>
    /// <param name="options">Spool folder and timeouts; null for the defaults.</param>
    public SpoolingTrackingClient(MlflowRestClient server, SpoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        Server = server;
        _options = options ?? new SpoolOptions();
        _backoff = _options.RetryInterval;
        System.IO.Directory.CreateDirectory(_options.Directory);
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>The REST client deliveries go through.</summary>
    public MlflowRestClient Server { get; }

    /// <summary>The spool folder.</summary>
    public string SpoolDirectory => _options.Directory;

    /// <summary>Whether the last delivery attempt failed because the server was unreachable or failing.</summary>
    public bool IsOffline => _offline;

    /// <summary>Records appended but not yet delivered, over all runs of this client.</summary>
    public long PendingRecords => _runs.Values.Distinct().Sum(r => Math.Max(0, r.LastSeq - r.State.AckedSeq));

    /// <inheritdoc />
    public string GetOrCreateExperiment(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            return Server.GetOrCreateExperimentAsync(name, _options.StartupRetries, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (TrackingException e) when (e.IsTransient)
        {
            _unreachable = e.HttpStatusCode is null && !e.OutcomeUnknown;
            GoOffline(e.Message);
            return OfflineExperimentPrefix + name;
        }
    }

    /// <inheritdoc />
    public string? FindExperimentId(string name) => Server.FindExperimentId(name);

    /// <inheritdoc />
    public RunInfo CreateRun(string experimentId, string runName, IReadOnlyList<RunTag>? tags = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        ArgumentNullException.ThrowIfNull(runName);
        tags ??= [];
        MlflowRestClient.ValidateBatch("spool", [], [], tags);
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var spool = RunSpool.Create(_options.Directory, Server.Options.DisplayUri);
        bool offlineExperiment = experimentId.StartsWith(OfflineExperimentPrefix, StringComparison.Ordinal);
        spool.Append(seq => new SpoolRecord
        {
            Seq = seq,
            Op = SpoolRecord.CreateRun,
            ExperimentId = offlineExperiment ? null : experimentId,
            ExperimentName = offlineExperiment ? experimentId[OfflineExperimentPrefix.Length..] : null,
            RunName = runName,
            TimeMs = start,
            Tags = [.. tags.Where(t => t.Key != SpoolIdTag), new RunTag(SpoolIdTag, spool.SpoolId)],
        });
        _runs[spool.SpoolId] = spool;
        _params[spool.SpoolId] = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        // Create the run on the server now when it answers, so the caller gets the server's run id.
        if (!_offline)
        {
            try
            {
                DeliverAsync(spool, _options.StartupRetries, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (TrackingException e) when (e.IsTransient)
            {
                _unreachable = e.HttpStatusCode is null && !e.OutcomeUnknown;
                GoOffline(e.Message);
            }
        }

        string? remote = spool.State.RunId;
        if (remote is not null)
        {
            _runs[remote] = spool;
            _params[remote] = _params[spool.SpoolId];
        }
        else
        {
            _options.Log($"run recorded offline in spool {spool.Directory}; it is delivered when the server answers, or with the 'sync --spool' command.");
        }

        string name = runName.Length != 0 ? runName : tags.LastOrDefault(t => t.Key == MlflowFileStore.RunNameTag)?.Value ?? string.Empty;
        return new RunInfo(
            remote ?? spool.SpoolId,
            spool.State.ExperimentId ?? experimentId,
            name,
            RunStatus.Running,
            start,
            null,
            FileUris.FromPath(Path.Combine(spool.Directory, "artifacts")));
    }

    /// <inheritdoc />
    /// <remarks>Returns as soon as the batch is in the journal. A param logged earlier with another value is refused here, at once.</remarks>
    public void LogBatch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags)
    {
        MlflowRestClient.ValidateBatch(runId, metrics, parameters, tags);
        var spool = Spool(runId);
        var known = _params[spool.SpoolId];
        foreach (var param in parameters)
        {
            if (known.TryGetValue(param.Key, out string? existing) && existing != param.Value)
            {
                throw new TrackingException(
                    TrackingErrorCodes.InvalidParameterValue,
                    $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{existing}' " +
                    $"for run ID='{runId}'. Attempted logging new value '{param.Value}'.");
            }
        }

        foreach (var param in parameters)
        {
            known[param.Key] = param.Value;
        }

        if (metrics.Count == 0 && parameters.Count == 0 && tags.Count == 0)
        {
            return;
        }

        spool.Append(seq => new SpoolRecord { Seq = seq, Op = SpoolRecord.LogBatch, Metrics = metrics.ToList(), Params = parameters.ToList(), Tags = tags.ToList() });

        // Waking the delivery task for every point costs a context switch per point; it wakes by itself every
        // DeliveryInterval, and at once when enough has piled up for a full request.
        if (Interlocked.Increment(ref _sinceWake) >= 500)
        {
            Interlocked.Exchange(ref _sinceWake, 0);
            Wake();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A final status (FINISHED, FAILED, KILLED) first queues the files in <see cref="GetArtifactDirectory"/>, then waits
    /// for delivery up to <see cref="SpoolOptions.FlushTimeout"/>; undelivered records stay spooled.
    /// </remarks>
    public void UpdateRun(string runId, RunStatus status, long? endTimeMs)
    {
        var spool = Spool(runId);
        bool final = status is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed;
        if (final)
        {
            string staging = Path.Combine(spool.Directory, "artifacts");
            if (System.IO.Directory.Exists(staging))
            {
                foreach (string file in System.IO.Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    string relative = Path.GetRelativePath(staging, Path.GetDirectoryName(file)!).Replace('\\', '/');
                    spool.Append(seq => new SpoolRecord
                    {
                        Seq = seq,
                        Op = SpoolRecord.LogArtifact,
                        File = Path.GetRelativePath(spool.Directory, file),
                        ArtifactDirectory = relative == "." ? null : relative,
                    });
                }
            }
        }

        spool.Append(seq => new SpoolRecord { Seq = seq, Op = SpoolRecord.UpdateRun, Status = status.ToRestName(), TimeMs = endTimeMs ?? 0 });
        Wake();
        if (final)
        {
            spool.Sync();
            FinishRun(spool);
        }
    }

    /// <inheritdoc />
    public RunRecord GetRun(string runId) => Server.GetRun(RemoteId(runId));

    /// <inheritdoc />
    public IReadOnlyList<Metric> GetMetricHistory(string runId, string key) => Server.GetMetricHistory(RemoteId(runId), key);

    /// <inheritdoc />
    public IReadOnlyList<RunInfo> ListRuns(string experimentId) => Server.ListRuns(experimentId);

    /// <inheritdoc />
    /// <remarks>A staging folder in the spool; its files are uploaded when the run ends.</remarks>
    public string GetArtifactDirectory(string runId)
    {
        string directory = Path.Combine(Spool(runId).Directory, "artifacts");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <inheritdoc />
    public void LogInputs(string runId, IReadOnlyList<DatasetInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            input.Validate();
        }

        var spool = Spool(runId);
        spool.Append(seq => new SpoolRecord { Seq = seq, Op = SpoolRecord.LogInputs, Datasets = inputs.ToList() });
        Wake();
    }

    /// <inheritdoc />
    /// <remarks>The file is copied into the spool at once (so later changes to it do not matter) and uploaded in the background.</remarks>
    public void LogArtifact(string runId, string localPath, string? artifactDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        if (!File.Exists(localPath))
        {
            throw new FileNotFoundException($"The artifact file '{localPath}' does not exist.", localPath);
        }

        _ = MlflowRestClient.ArtifactRelativePath(artifactDirectory, Path.GetFileName(localPath));
        var spool = Spool(runId);
        string blobs = Path.Combine(spool.Directory, "blobs", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(blobs);
        string copy = Path.Combine(blobs, Path.GetFileName(localPath));
        File.Copy(localPath, copy);
        spool.Append(seq => new SpoolRecord
        {
            Seq = seq,
            Op = SpoolRecord.LogArtifact,
            File = Path.GetRelativePath(spool.Directory, copy),
            ArtifactDirectory = artifactDirectory,
        });
        Wake();
    }

    /// <summary>Waits until every record of every run is delivered, or the timeout passes.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>Whether everything was delivered.</returns>
    public bool Flush(TimeSpan timeout) => _runs.Values.Distinct().ToList().All(spool => FlushRun(spool, timeout));

    /// <summary>
    /// Delivers every spool in <paramref name="spoolDirectory"/> that belongs to <paramref name="server"/>'s URI and is not
    /// held by a running process (the <c>sync --spool</c> command).
    /// </summary>
    /// <param name="server">The server.</param>
    /// <param name="spoolDirectory">The spool folder.</param>
    /// <param name="log">Receives one line per spool.</param>
    /// <param name="keepDelivered">Keep delivered spool folders instead of deleting them.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>(delivered runs, runs left: in use, other server, or failed).</returns>
    public static async Task<(int Delivered, int Left)> DeliverPendingAsync(
        MlflowRestClient server, string spoolDirectory, TextWriter log, bool keepDelivered = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(log);
        int delivered = 0;
        int left = 0;
        if (!System.IO.Directory.Exists(spoolDirectory))
        {
            await log.WriteLineAsync($"No spool folder at {spoolDirectory}: nothing to deliver.").ConfigureAwait(false);
            return (0, 0);
        }

        foreach (string directory in System.IO.Directory.EnumerateDirectories(spoolDirectory).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(directory, RunSpool.JournalFile)))
            {
                continue;
            }

            using var spool = RunSpool.TryOpen(directory);
            if (spool is null)
            {
                left++;
                await log.WriteLineAsync($"{directory}: in use by a running process, skipped.").ConfigureAwait(false);
                continue;
            }

            if (!string.Equals(spool.State.ServerUri, server.Options.DisplayUri, StringComparison.Ordinal))
            {
                left++;
                await log.WriteLineAsync($"{directory}: recorded for {spool.State.ServerUri}, not {server.Options.DisplayUri}; skipped.").ConfigureAwait(false);
                continue;
            }

            try
            {
                while (!spool.IsCaughtUp)
                {
                    await DeliverAsync(server, spool, null, 5000, message => log.WriteLine(message), cancellationToken).ConfigureAwait(false);
                }

                delivered++;
                await log.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture, $"{directory}: delivered to run {spool.State.RunId} ({spool.LastSeq} records).")).ConfigureAwait(false);
            }
            catch (TrackingException e)
            {
                left++;
                await log.WriteLineAsync($"{directory}: not delivered: {e.Message}").ConfigureAwait(false);
                continue;
            }

            if (!keepDelivered)
            {
                spool.Dispose();
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }

        return (delivered, left);
    }

    /// <summary>Stops the delivery task after a last flush (bounded by <see cref="SpoolOptions.FlushTimeout"/>); undelivered records stay spooled.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Flush(_options.FlushTimeout);
        _stop.Cancel();
        Wake();
        try
        {
            _worker.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The worker only ends by cancellation; nothing to report.
        }

        foreach (var spool in _runs.Values.Distinct())
        {
            spool.Dispose();
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    internal static async Task DeliverAsync(
        MlflowRestClient server, RunSpool spool, int? maxRetries, int maxMetrics, Action<string> log, CancellationToken cancellationToken)
    {
        var pending = spool.ReadPending(maxMetrics, spool.State.AttemptedSeq);
        int i = 0;
        while (i < pending.Count)
        {
            var record = pending[i];
            switch (record.Op)
            {
                case SpoolRecord.CreateRun:
                    await CreateRemoteRunAsync(server, spool, record, maxRetries, cancellationToken).ConfigureAwait(false);
                    i++;
                    continue;
                case SpoolRecord.LogBatch:
                    int end = i;
                    var keys = new HashSet<string>(StringComparer.Ordinal);
                    while (end < pending.Count && pending[end].Op == SpoolRecord.LogBatch && pending[end].Params.All(p => keys.Add(p.Key)))
                    {
                        end++;
                    }

                    end = Math.Max(end, i + 1);
                    await DeliverBatchesAsync(server, spool, pending.GetRange(i, end - i), maxRetries, log, cancellationToken).ConfigureAwait(false);
                    i = end;
                    continue;
            }

            string runId = spool.State.RunId ?? throw new InvalidDataException($"Spool {spool.Directory} has records before its run was created.");
            try
            {
                switch (record.Op)
                {
                    case SpoolRecord.LogInputs:
                        await server.LogInputsAsync(runId, record.Datasets, cancellationToken).ConfigureAwait(false);
                        break;
                    case SpoolRecord.LogArtifact:
                        await server.LogArtifactAsync(runId, Path.Combine(spool.Directory, record.File!), record.ArtifactDirectory, cancellationToken).ConfigureAwait(false);
                        break;
                    case SpoolRecord.UpdateRun:
                        await server.UpdateRunAsync(runId, RunStatusCodes.FromRestName(record.Status!), record.TimeMs == 0 ? null : record.TimeMs, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        throw new InvalidDataException($"Spool {spool.Directory}: unknown operation '{record.Op}' in record {record.Seq}.");
                }
            }
            catch (Exception e) when (e is TrackingException { IsTransient: false } or NotSupportedException or FileNotFoundException)
            {
                log($"the server refused {record.Op} (record {record.Seq}) of run {runId}: {e.Message}; kept in {Path.Combine(spool.Directory, RunSpool.RejectedFile)}.");
                spool.Reject([record], e.Message);
            }

            spool.Acknowledge(record.Seq);
            i++;
        }
    }

    private static async Task CreateRemoteRunAsync(MlflowRestClient server, RunSpool spool, SpoolRecord record, int? maxRetries, CancellationToken cancellationToken)
    {
        if (spool.State.RunId is not null)
        {
            spool.Acknowledge(record.Seq);
            return;
        }

        string experimentId = record.ExperimentId
            ?? await server.GetOrCreateExperimentAsync(record.ExperimentName!, maxRetries, cancellationToken).ConfigureAwait(false);
        RunInfo? found = null;
        if (spool.State.CreateAttempted)
        {
            // An earlier create may have reached the server although its answer did not reach us: find it by its tag.
            var runs = await server.SearchRunsAsync([experimentId], $"tags.`{SpoolIdTag}` = '{spool.SpoolId}'", null, cancellationToken).ConfigureAwait(false);
            found = runs.Count == 0 ? null : runs[0].Info;
        }

        if (found is null)
        {
            spool.Update(s => s.CreateAttempted = true);
            found = await server.CreateRunAsync(experimentId, record.RunName ?? string.Empty, record.Tags, record.TimeMs, maxRetries, cancellationToken).ConfigureAwait(false);
        }

        spool.Acknowledge(record.Seq, s =>
        {
            s.RunId = found.RunId;
            s.ExperimentId = found.ExperimentId;
        });
    }

    private static async Task DeliverBatchesAsync(
        MlflowRestClient server, RunSpool spool, List<SpoolRecord> records, int? maxRetries, Action<string> log, CancellationToken cancellationToken)
    {
        string runId = spool.State.RunId ?? throw new InvalidDataException($"Spool {spool.Directory} has records before its run was created.");
        long first = records[0].Seq;
        long last = records[^1].Seq;

        // Records up to AttemptedSeq may be on the server already (a failed or interrupted earlier attempt).
        bool reconcile = first <= spool.State.AttemptedSeq;
        spool.Update(s => s.AttemptedSeq = Math.Max(s.AttemptedSeq, last));
        var metrics = records.SelectMany(r => r.Metrics).ToList();
        var parameters = records.SelectMany(r => r.Params).ToList();

        // Later tags win, as if the records had been sent one by one.
        var tags = records.SelectMany(r => r.Tags).GroupBy(t => t.Key, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        try
        {
            await server.DeliverBatchAsync(runId, metrics, parameters, tags, reconcile, key => spool.PointsBefore(key, first), maxRetries, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (TrackingException e) when (!e.IsTransient)
        {
            // A rejection (a param changed on a resumed run, a deleted run): find the records at fault one by one and
            // set only those aside, or everything merged with them would be lost and the spool stuck behind them.
            foreach (var record in records)
            {
                await DeliverRecordAsync(server, spool, runId, record, maxRetries, log, e.Message, cancellationToken).ConfigureAwait(false);
            }
        }

        spool.Acknowledge(last);
    }

    private static async Task DeliverRecordAsync(
        MlflowRestClient server, RunSpool spool, string runId, SpoolRecord record, int? maxRetries, Action<string> log, string groupError, CancellationToken cancellationToken)
    {
        Func<string, IEnumerable<Metric>> prior = key => spool.PointsBefore(key, record.Seq);
        try
        {
            // Part of the group may be on the server already: reconcile the metrics.
            await server.DeliverBatchAsync(runId, record.Metrics, record.Params, record.Tags, true, prior, maxRetries, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (TrackingException e) when (!e.IsTransient && record.Params.Count != 0)
        {
            // Most likely a param that may not change: keep the metrics and tags, set the params aside.
            groupError = e.Message;
        }
        catch (TrackingException e) when (!e.IsTransient)
        {
            log($"the server refused record {record.Seq} of run {runId}: {e.Message}; kept in {Path.Combine(spool.Directory, RunSpool.RejectedFile)}.");
            spool.Reject([record], e.Message);
            return;
        }

        try
        {
            await server.DeliverBatchAsync(runId, record.Metrics, [], record.Tags, true, prior, maxRetries, cancellationToken).ConfigureAwait(false);
            log($"the server refused the params of record {record.Seq} of run {runId}: {groupError}; they are kept in {Path.Combine(spool.Directory, RunSpool.RejectedFile)}.");
            spool.Reject([new SpoolRecord { Seq = record.Seq, Op = record.Op, Params = record.Params }], groupError);
        }
        catch (TrackingException e) when (!e.IsTransient)
        {
            log($"the server refused record {record.Seq} of run {runId}: {e.Message}; kept in {Path.Combine(spool.Directory, RunSpool.RejectedFile)}.");
            spool.Reject([record], e.Message);
        }
    }

    private async Task DeliverAsync(RunSpool spool, int? maxRetries, CancellationToken cancellationToken) =>
        await DeliverAsync(Server, spool, maxRetries, _options.MaxMetricsPerDelivery, _options.Log, cancellationToken).ConfigureAwait(false);

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_offline ? _backoff : _options.DeliveryInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var spool in _runs.Values.Distinct().ToList())
            {
                try
                {
                    while (!spool.IsCaughtUp && !_stop.IsCancellationRequested)
                    {
                        // No retries inside: this loop is the retry, with its own backoff, so a dead server costs nothing.
                        await DeliverAsync(spool, 0, _stop.Token).ConfigureAwait(false);
                        _unreachable = false;
                        if (_offline)
                        {
                            _offline = false;
                            _backoff = _options.RetryInterval;
                            _options.Log("the tracking server answers again; delivering the spooled records.");
                            _warnedOffline = false;
                        }

                        PublishProgress(spool);
                    }
                }
                catch (TrackingException e) when (e.IsTransient)
                {
                    _unreachable = e.HttpStatusCode is null && !e.OutcomeUnknown;
                    GoOffline(e.Message);
                    _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _options.MaxRetryInterval.Ticks));
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // The worker must survive anything (a corrupt journal, a full disk): report and try again later.
                    _options.Log($"delivery of spool {spool.Directory} failed: {e.GetType().Name}: {e.Message}");
                    GoOffline(e.Message);
                }

                PublishProgress(spool);
            }
        }
    }

    private void PublishProgress(RunSpool spool)
    {
        _ = spool;
        lock (_progressGate)
        {
            Monitor.PulseAll(_progressGate);
        }
    }

    private void FinishRun(RunSpool spool)
    {
        bool delivered = FlushRun(spool, _options.FlushTimeout);
        if (!delivered)
        {
            _options.Log(string.Create(
                CultureInfo.InvariantCulture,
                $"{spool.LastSeq - spool.State.AckedSeq} records of the run are not on the server yet; they stay in {spool.Directory} and are delivered by this process while it runs, or later with the 'sync --spool' command."));
            return;
        }

        foreach (var key in _runs.Where(p => ReferenceEquals(p.Value, spool)).Select(p => p.Key).ToList())
        {
            _runs.TryRemove(key, out _);
        }

        spool.Dispose();
        if (!_options.KeepDelivered)
        {
            try
            {
                System.IO.Directory.Delete(spool.Directory, recursive: true);
            }
            catch (IOException e)
            {
                _options.Log($"the delivered spool {spool.Directory} could not be removed: {e.Message}");
            }
        }
    }

    private bool FlushRun(RunSpool spool, TimeSpan timeout)
    {
        // Wait up to the timeout while delivery makes progress; give up sooner when the server stays unreachable.
        var deadline = DateTime.UtcNow + timeout;
        var lastProgress = DateTime.UtcNow;
        long acked = spool.State.AckedSeq;
        long failuresBefore = Interlocked.Read(ref _unreachableFailures);
        while (!spool.IsCaughtUp)
        {
            Wake();
            var now = DateTime.UtcNow;
            if (spool.State.AckedSeq != acked)
            {
                acked = spool.State.AckedSeq;
                lastProgress = now;
            }

            // "Unreachable" (no connection at all) rather than merely failing: a flaky server that answers slowly
            // still gets the full timeout.
            bool stillDown = _unreachable && Interlocked.Read(ref _unreachableFailures) > failuresBefore;
            if (now >= deadline || (stillDown && now - lastProgress >= _options.OfflineFlushTimeout))
            {
                return false;
            }

            lock (_progressGate)
            {
                Monitor.Wait(_progressGate, TimeSpan.FromMilliseconds(50));
            }
        }

        return true;
    }

    private void GoOffline(string reason)
    {
        _offline = true;
        if (_unreachable)
        {
            Interlocked.Increment(ref _unreachableFailures);
        }

        if (!_warnedOffline)
        {
            _warnedOffline = true;
            _options.Log($"{reason} Training goes on; records are spooled in {_options.Directory} and delivered when the server answers.");
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private RunSpool Spool(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return _runs.TryGetValue(runId, out var spool)
            ? spool
            : throw new TrackingException(
                TrackingErrorCodes.ResourceDoesNotExist,
                $"Run '{runId}' was not started by this client (or has ended); runs are logged through the client that created them.");
    }

    private string RemoteId(string runId)
    {
        if (_runs.TryGetValue(runId, out var spool))
        {
            FlushRun(spool, _options.FlushTimeout);
            return spool.State.RunId
                ?? throw new TrackingException(TrackingErrorCodes.TemporarilyUnavailable, $"Run '{runId}' is not on the server yet (the server is unreachable); its records are spooled.")
                {
                    IsTransient = true,
                };
        }

        return runId;
    }
}
