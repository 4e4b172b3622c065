namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// A client for an MLflow tracking server's REST API (<c>/api/2.0/mlflow/...</c>). Calls block until the server
/// answered (use <see cref="SpoolingTrackingClient"/> so training never waits); batches are split as MLflow's own
/// client splits them; retries follow MLflow's policy; a metric batch whose outcome is unknown (timeout, dropped
/// connection, 500/502/504) is reconciled against the server's metric history instead of being sent again blindly.
/// </summary>
public sealed class MlflowRestClient : ITrackingClient
{
    /// <summary>The most metrics, params and tags in one <c>runs/log-batch</c> request.</summary>
    public const int MaxEntitiesPerBatch = 1000;

    /// <summary>The most params plus tags in one <c>runs/log-batch</c> request.</summary>
    public const int MaxParamsAndTagsPerBatch = 100;

    /// <summary>The page size for <c>metrics/get-history</c> (the server's maximum is 25000).</summary>
    public const int HistoryPageSize = 25000;

    // Requests stay well under the server's ~1 MB body limit; long param and tag values count by UTF-8 bytes.
    private const int MaxBatchBytes = 900_000;

    private readonly MlflowHttp _http;

    /// <summary>Creates a client; no request is made until the first call.</summary>
    /// <param name="options">Server, credentials and retry policy.</param>
    public MlflowRestClient(MlflowRestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _http = new MlflowHttp(options);
    }

    /// <summary>The options the client was created with.</summary>
    public MlflowRestOptions Options { get; }

    /// <inheritdoc />
    public string GetOrCreateExperiment(string name) => Wait(GetOrCreateExperimentAsync(name));

    /// <inheritdoc />
    public string? FindExperimentId(string name) => Wait(FindExperimentIdAsync(name));

    /// <inheritdoc />
    public RunInfo CreateRun(string experimentId, string runName, IReadOnlyList<RunTag>? tags = null) =>
        Wait(CreateRunAsync(experimentId, runName, tags));

    /// <inheritdoc />
    public void LogBatch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags) =>
        Wait(LogBatchAsync(runId, metrics, parameters, tags));

    /// <inheritdoc />
    public void UpdateRun(string runId, RunStatus status, long? endTimeMs) => Wait(UpdateRunAsync(runId, status, endTimeMs));

    /// <inheritdoc />
    public RunRecord GetRun(string runId) => Wait(GetRunAsync(runId));

    /// <inheritdoc />
    public IReadOnlyList<Metric> GetMetricHistory(string runId, string key) => Wait(GetMetricHistoryAsync(runId, key));

    /// <inheritdoc />
    public IReadOnlyList<RunInfo> ListRuns(string experimentId) =>
        Wait(SearchRunsAsync([experimentId])).Select(r => r.Info).ToList();

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: a server run has no local artifact folder; use <see cref="LogArtifact"/>.</exception>
    public string GetArtifactDirectory(string runId) =>
        throw new NotSupportedException(
            "A run on a tracking server has no local artifact folder; upload files with LogArtifact, or use SpoolingTrackingClient, whose artifact folder is uploaded when the run ends.");

    /// <inheritdoc />
    public void LogInputs(string runId, IReadOnlyList<DatasetInput> inputs) => Wait(LogInputsAsync(runId, inputs));

    /// <inheritdoc />
    public void LogArtifact(string runId, string localPath, string? artifactDirectory = null) =>
        Wait(LogArtifactAsync(runId, localPath, artifactDirectory));

    /// <summary>Returns the id of the active experiment named <paramref name="name"/>, creating it if needed.</summary>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The experiment id.</returns>
    /// <exception cref="TrackingException">The name belongs to a deleted experiment (RESOURCE_ALREADY_EXISTS), or the server failed.</exception>
    public Task<string> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default) =>
        GetOrCreateExperimentAsync(name, null, cancellationToken);

    /// <summary>Returns the id of the active experiment named <paramref name="name"/>, or null; creates nothing.</summary>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The id or null.</returns>
    public async Task<string?> FindExperimentIdAsync(string name, CancellationToken cancellationToken = default)
    {
        var (id, stage) = await GetExperimentByNameAsync(name, null, cancellationToken).ConfigureAwait(false);
        return stage == "active" ? id : null;
    }

    /// <summary>Creates a run (status RUNNING) with the system tags and <paramref name="tags"/>.</summary>
    /// <param name="experimentId">The experiment.</param>
    /// <param name="runName">The display name; empty lets the server pick one.</param>
    /// <param name="tags">Extra tags; they override system tags of the same key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new run's info.</returns>
    public Task<RunInfo> CreateRunAsync(string experimentId, string runName, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default) =>
        CreateRunAsync(experimentId, runName, tags, null, null, cancellationToken);

    /// <summary>
    /// Logs metrics, params and tags in <c>runs/log-batch</c> requests of at most 1000 entities, 100 params and tags,
    /// and about 1 MB, in MLflow's order (params and tags first, topped up with metrics). Everything is validated first.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="metrics">Points to append.</param>
    /// <param name="parameters">Params (write-once; no key twice).</param>
    /// <param name="tags">Tags (overwrite).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server stored everything.</returns>
    public async Task LogBatchAsync(
        string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken = default)
    {
        ValidateBatch(runId, metrics, parameters, tags);
        bool reconcile = false;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await DeliverBatchAsync(runId, metrics, parameters, tags, reconcile, static _ => [], null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TrackingException e) when (e.OutcomeUnknown && attempt < Options.MaxRetries)
            {
                // The server may have stored some points: compare with its history before sending anything again.
                reconcile = true;
                await Task.Delay(Options.BackoffFactor * Math.Pow(2, attempt), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sets a run's status and end time.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="status">The status.</param>
    /// <param name="endTimeMs">The end time (epoch ms), or null to leave it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server stored it.</returns>
    public async Task UpdateRunAsync(string runId, RunStatus status, long? endTimeMs, CancellationToken cancellationToken = default)
    {
        ValidateRunId(runId);
        byte[] body = MlflowJson.Write(w =>
        {
            w.WriteString("run_id", runId);
            w.WriteString("run_uuid", runId);
            w.WriteString("status", status.ToRestName());
            if (endTimeMs is long end)
            {
                w.WriteNumber("end_time", end);
            }
        });
        using var unused = await _http.PostAsync("runs/update", body, blindRetry: true, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a run with its params, tags and latest metrics (<c>GET runs/get</c>).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The run.</returns>
    public async Task<RunRecord> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ValidateRunId(runId);
        using var document = await _http.GetAsync("runs/get", "run_id=" + Uri.EscapeDataString(runId), null, cancellationToken).ConfigureAwait(false);
        return ParseRun(document.RootElement.GetProperty("run"));
    }

    /// <summary>Reads every point of a metric, following <c>next_page_token</c> (<c>GET metrics/get-history</c>).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="key">The metric key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The points in the server's order.</returns>
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        ValidateRunId(runId);
        TrackingValidation.ValidateKey(key, "metric");
        var points = new List<Metric>();
        string? token = null;
        do
        {
            string query = "run_id=" + Uri.EscapeDataString(runId) + "&metric_key=" + Uri.EscapeDataString(key)
                + "&max_results=" + HistoryPageSize.ToString(CultureInfo.InvariantCulture)
                + (token is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(token));
            using var document = await _http.GetAsync("metrics/get-history", query, null, cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.TryGetProperty("metrics", out var array))
            {
                points.AddRange(array.EnumerateArray().Select(MlflowJson.ReadMetric));
            }

            token = MlflowJson.ReadString(root, "next_page_token");
        }
        while (!string.IsNullOrEmpty(token));
        return points;
    }

    /// <summary>Searches active runs (<c>POST runs/search</c>), following page tokens.</summary>
    /// <param name="experimentIds">The experiments to search.</param>
    /// <param name="filter">An MLflow filter string, e.g. <c>tags.sweep = 'lr'</c>; null for all runs.</param>
    /// <param name="orderBy">Order clauses, e.g. <c>metrics.loss ASC</c>; null for newest first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The runs with their data.</returns>
    public async Task<IReadOnlyList<RunRecord>> SearchRunsAsync(
        IReadOnlyList<string> experimentIds, string? filter = null, IReadOnlyList<string>? orderBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        var runs = new List<RunRecord>();
        string? token = null;
        do
        {
            byte[] body = MlflowJson.Write(w =>
            {
                w.WriteStartArray("experiment_ids");
                foreach (string id in experimentIds)
                {
                    w.WriteStringValue(id);
                }

                w.WriteEndArray();
                if (filter is not null)
                {
                    w.WriteString("filter", filter);
                }

                w.WriteString("run_view_type", "ACTIVE_ONLY");
                w.WriteNumber("max_results", 1000);
                w.WriteStartArray("order_by");
                foreach (string clause in orderBy ?? ["attributes.start_time DESC"])
                {
                    w.WriteStringValue(clause);
                }

                w.WriteEndArray();
                if (token is not null)
                {
                    w.WriteString("page_token", token);
                }
            });
            using var document = await _http.PostAsync("runs/search", body, blindRetry: true, null, cancellationToken).ConfigureAwait(false);
            if (document.RootElement.TryGetProperty("runs", out var array))
            {
                runs.AddRange(array.EnumerateArray().Select(ParseRun));
            }

            token = MlflowJson.ReadString(document.RootElement, "next_page_token");
        }
        while (!string.IsNullOrEmpty(token));
        return runs;
    }

    /// <summary>Records datasets as run inputs (<c>POST runs/log-inputs</c>).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="inputs">The datasets.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken = default)
    {
        ValidateRunId(runId);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            input.Validate();
        }

        if (inputs.Count == 0)
        {
            return;
        }

        byte[] body = MlflowJson.Write(w =>
        {
            w.WriteString("run_id", runId);
            MlflowJson.WriteDatasets(w, inputs);
        });
        using var unused = await _http.PostAsync("runs/log-inputs", body, blindRetry: true, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a file through the server's artifact proxy (<c>PUT /api/2.0/mlflow-artifacts/artifacts/...</c>); the run's
    /// artifact URI must be an <c>mlflow-artifacts:</c> URI (a server started with artifact serving, the default).
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="localPath">The file.</param>
    /// <param name="artifactDirectory">The folder inside the run's artifacts, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when uploaded.</returns>
    public async Task LogArtifactAsync(string runId, string localPath, string? artifactDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        if (!File.Exists(localPath))
        {
            throw new FileNotFoundException($"The artifact file '{localPath}' does not exist.", localPath);
        }

        string relative = ArtifactRelativePath(artifactDirectory, Path.GetFileName(localPath));
        var run = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        await _http.PutArtifactAsync(ArtifactProxyPath(run.Info.ArtifactUri) + "/" + relative, localPath, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<string> GetOrCreateExperimentAsync(string name, int? maxRetries, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        for (int attempt = 0; ; attempt++)
        {
            var (id, stage) = await GetExperimentByNameAsync(name, maxRetries, cancellationToken).ConfigureAwait(false);
            if (id is not null)
            {
                return stage == "active"
                    ? id
                    : throw new TrackingException(
                        TrackingErrorCodes.ResourceAlreadyExists,
                        $"Experiment '{name}' exists on {Options.DisplayUri} in deleted state (id {id}). Restore it with " +
                        $"'mlflow experiments restore --experiment-id {id}' or delete it for good ('mlflow gc'), or use another experiment name.");
            }

            try
            {
                byte[] body = MlflowJson.Write(w => w.WriteString("name", name));
                using var created = await _http.PostAsync("experiments/create", body, blindRetry: true, maxRetries, cancellationToken).ConfigureAwait(false);
                return MlflowJson.ReadString(created.RootElement, "experiment_id")
                    ?? throw new TrackingException("The server answered experiments/create without an experiment_id.");
            }
            catch (TrackingException e) when (e.ErrorCode == TrackingErrorCodes.ResourceAlreadyExists && attempt < 3)
            {
                // Another process created it between our lookup and our create (or our retried create succeeded): look again.
            }
        }
    }

    internal async Task<RunInfo> CreateRunAsync(
        string experimentId, string runName, IReadOnlyList<RunTag>? tags, long? startTimeMs, int? maxRetries, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        ArgumentNullException.ThrowIfNull(runName);
        tags ??= [];
        foreach (var tag in tags)
        {
            TrackingValidation.ValidateKey(tag.Key, "tag");
            TrackingValidation.ValidateTagValue(tag.Key, tag.Value);
        }

        var allTags = new Dictionary<string, string>(SystemTags.Collect(), StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            allTags[tag.Key] = tag.Value;
        }

        if (runName.Length != 0)
        {
            allTags[MlflowFileStore.RunNameTag] = runName;
        }

        long start = startTimeMs ?? Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        byte[] body = MlflowJson.Write(w =>
        {
            w.WriteString("experiment_id", experimentId);
            if (runName.Length != 0)
            {
                w.WriteString("run_name", runName);
            }

            w.WriteNumber("start_time", start);
            w.WriteString("user_id", allTags[SystemTags.User]);
            MlflowJson.WritePairs(w, "tags", allTags);
        });

        // A create whose answer was lost leaves an orphan run on the server; retrying is still right (the caller
        // needs a run), and SpoolingTrackingClient finds the orphan by its spool tag instead of creating another.
        using var document = await _http.PostAsync("runs/create", body, blindRetry: true, maxRetries, cancellationToken).ConfigureAwait(false);
        return ParseRun(document.RootElement.GetProperty("run")).Info;
    }

    /// <summary>
    /// Sends a batch in MLflow's chunks. With <paramref name="reconcileFirst"/>, metrics the server already has are left
    /// out: for each point, the server's count minus the count delivered before this batch (<paramref name="priorPoints"/>).
    /// </summary>
    internal async Task DeliverBatchAsync(
        string runId,
        IReadOnlyList<Metric> metrics,
        IReadOnlyList<Param> parameters,
        IReadOnlyList<RunTag> tags,
        bool reconcileFirst,
        Func<string, IEnumerable<Metric>> priorPoints,
        int? maxRetries,
        CancellationToken cancellationToken)
    {
        if (reconcileFirst && metrics.Count != 0)
        {
            metrics = await MissingMetricsAsync(runId, metrics, priorPoints, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (chunkMetrics, chunkParams, chunkTags) in Chunk(metrics, parameters, tags))
        {
            byte[] body = MlflowJson.Write(w =>
            {
                w.WriteString("run_id", runId);
                MlflowJson.WriteMetrics(w, chunkMetrics);
                MlflowJson.WritePairs(w, "params", chunkParams.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
                MlflowJson.WritePairs(w, "tags", chunkTags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)));
            });

            // Params and tags are idempotent; metrics append, so a chunk with metrics is only resent when the server
            // certainly did not apply it.
            using var unused = await _http.PostAsync("runs/log-batch", body, blindRetry: chunkMetrics.Count == 0, maxRetries, cancellationToken).ConfigureAwait(false);
        }
    }

    internal async Task<IReadOnlyList<Metric>> MissingMetricsAsync(
        string runId, IReadOnlyList<Metric> metrics, Func<string, IEnumerable<Metric>> priorPoints, CancellationToken cancellationToken)
    {
        var missing = new List<Metric>();
        var byKey = metrics.GroupBy(m => m.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var alreadyThere = new Dictionary<string, Dictionary<PointKey, int>>(StringComparer.Ordinal);
        foreach (string key in byKey.Keys)
        {
            var counts = new Dictionary<PointKey, int>();
            foreach (var point in await GetMetricHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false))
            {
                counts[PointKey.Of(point)] = counts.GetValueOrDefault(PointKey.Of(point)) + 1;
            }

            foreach (var point in priorPoints(key))
            {
                var pk = PointKey.Of(point);
                if (counts.TryGetValue(pk, out int count))
                {
                    counts[pk] = count - 1;
                }
            }

            alreadyThere[key] = counts;
        }

        foreach (var metric in metrics)
        {
            var counts = alreadyThere[metric.Key];
            var pk = PointKey.Of(metric);
            if (counts.TryGetValue(pk, out int count) && count > 0)
            {
                counts[pk] = count - 1;
            }
            else
            {
                missing.Add(metric);
            }
        }

        return missing;
    }

    internal static IEnumerable<(List<Metric> Metrics, List<Param> Params, List<RunTag> Tags)> Chunk(
        IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags)
    {
        int metricIndex = 0;
        int paramIndex = 0;
        int tagIndex = 0;
        while (paramIndex < parameters.Count || tagIndex < tags.Count)
        {
            var chunkParams = new List<Param>();
            var chunkTags = new List<RunTag>();
            int bytes = 0;
            while (chunkParams.Count + chunkTags.Count < MaxParamsAndTagsPerBatch && (paramIndex < parameters.Count || tagIndex < tags.Count))
            {
                int size = paramIndex < parameters.Count
                    ? Size(parameters[paramIndex].Key, parameters[paramIndex].Value)
                    : Size(tags[tagIndex].Key, tags[tagIndex].Value);
                if (bytes + size > MaxBatchBytes && chunkParams.Count + chunkTags.Count > 0)
                {
                    break;
                }

                bytes += size;
                if (paramIndex < parameters.Count)
                {
                    chunkParams.Add(parameters[paramIndex++]);
                }
                else
                {
                    chunkTags.Add(tags[tagIndex++]);
                }
            }

            int room = MaxEntitiesPerBatch - chunkParams.Count - chunkTags.Count;
            int take = Math.Min(room, metrics.Count - metricIndex);
            var chunkMetrics = new List<Metric>(take);
            for (int i = 0; i < take; i++)
            {
                chunkMetrics.Add(metrics[metricIndex++]);
            }

            yield return (chunkMetrics, chunkParams, chunkTags);
        }

        while (metricIndex < metrics.Count)
        {
            int take = Math.Min(MaxEntitiesPerBatch, metrics.Count - metricIndex);
            var chunkMetrics = new List<Metric>(take);
            for (int i = 0; i < take; i++)
            {
                chunkMetrics.Add(metrics[metricIndex++]);
            }

            yield return (chunkMetrics, [], []);
        }
    }

    internal static void ValidateBatch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags)
    {
        ValidateRunId(runId);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var metric in metrics)
        {
            ArgumentNullException.ThrowIfNull(metric, nameof(metrics));
            TrackingValidation.ValidateKey(metric.Key, "metric");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            ArgumentNullException.ThrowIfNull(param, nameof(parameters));
            TrackingValidation.ValidateKey(param.Key, "param");
            TrackingValidation.ValidateParamValue(param.Key, param.Value);
            if (!seen.Add(param.Key))
            {
                throw new ArgumentException(
                    $"Duplicate parameter key '{param.Key}' in one batch; MLflow rejects batches that repeat a parameter.", nameof(parameters));
            }
        }

        foreach (var tag in tags)
        {
            ArgumentNullException.ThrowIfNull(tag, nameof(tags));
            TrackingValidation.ValidateKey(tag.Key, "tag");
            TrackingValidation.ValidateTagValue(tag.Key, tag.Value);
        }
    }

    internal static string ArtifactRelativePath(string? artifactDirectory, string fileName)
    {
        string directory = (artifactDirectory ?? string.Empty).Replace('\\', '/').Trim('/');
        foreach (string segment in directory.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment is "." or "..")
            {
                throw new ArgumentException($"The artifact folder '{artifactDirectory}' must not contain '.' or '..' segments.", nameof(artifactDirectory));
            }
        }

        return directory.Length == 0 ? fileName : directory + "/" + fileName;
    }

    private static string ArtifactProxyPath(string artifactUri)
    {
        // mlflow-artifacts:/<exp>/<run>/artifacts or mlflow-artifacts://host:port/<exp>/<run>/artifacts
        const string scheme = "mlflow-artifacts:";
        if (!artifactUri.StartsWith(scheme, StringComparison.Ordinal))
        {
            throw new NotSupportedException(
                $"The run's artifact URI uses '{artifactUri.Split(':')[0]}:', not mlflow-artifacts:. Start the server with artifact serving " +
                "(the default for 'mlflow server'), or upload artifacts with that storage's own tools.");
        }

        string rest = artifactUri[scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            int slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        return rest.Trim('/');
    }

    private static int Size(string key, string value) => MlflowJson.EncodedLength(key) + MlflowJson.EncodedLength(value) + 32;

    private async Task<(string? Id, string? Stage)> GetExperimentByNameAsync(string name, int? maxRetries, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await _http.GetAsync(
                "experiments/get-by-name", "experiment_name=" + Uri.EscapeDataString(name), maxRetries, cancellationToken).ConfigureAwait(false);
            var experiment = document.RootElement.GetProperty("experiment");
            return (MlflowJson.ReadString(experiment, "experiment_id"), MlflowJson.ReadString(experiment, "lifecycle_stage") ?? "active");
        }
        catch (TrackingException e) when (e.ErrorCode == TrackingErrorCodes.ResourceDoesNotExist)
        {
            return (null, null);
        }
    }

    private static RunRecord ParseRun(JsonElement run)
    {
        var info = run.GetProperty("info");
        var data = run.TryGetProperty("data", out var d) ? d : default;
        var tags = MlflowJson.ReadPairs(data, "tags");
        var parameters = MlflowJson.ReadPairs(data, "params");
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("metrics", out var metrics))
        {
            foreach (var metric in metrics.EnumerateArray().Select(MlflowJson.ReadMetric))
            {
                latest[metric.Key] = metric;
            }
        }

        string runId = MlflowJson.ReadString(info, "run_id") ?? MlflowJson.ReadString(info, "run_uuid") ?? string.Empty;
        var runInfo = new RunInfo(
            runId,
            MlflowJson.ReadString(info, "experiment_id") ?? string.Empty,
            MlflowJson.ReadString(info, "run_name") ?? tags.GetValueOrDefault(MlflowFileStore.RunNameTag) ?? string.Empty,
            RunStatusCodes.FromRestName(MlflowJson.ReadString(info, "status") ?? "RUNNING"),
            MlflowJson.ReadInt64(info, "start_time") ?? 0,
            MlflowJson.ReadInt64(info, "end_time"),
            MlflowJson.ReadString(info, "artifact_uri") ?? string.Empty);
        return new RunRecord(runInfo, parameters, tags, latest);
    }

    private static void ValidateRunId(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (runId.Length > 256 || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Invalid run id '{runId}': expected letters, digits, '-' and '_' (MLflow run ids are 32 hex characters).", nameof(runId));
        }
    }

    private static T Wait<T>(Task<T> task) => task.ConfigureAwait(false).GetAwaiter().GetResult();

    private static void Wait(Task task) => task.ConfigureAwait(false).GetAwaiter().GetResult();

    /// <summary>A metric point's identity for reconciliation: timestamp, step and value (NaN equal to NaN).</summary>
    private readonly record struct PointKey(long Timestamp, long Step, long ValueBits)
    {
        public static PointKey Of(Metric metric) => new(
            metric.TimestampMs, metric.Step, double.IsNaN(metric.Value) ? long.MinValue : BitConverter.DoubleToInt64Bits(metric.Value == 0 ? 0.0 : metric.Value));
    }
}
