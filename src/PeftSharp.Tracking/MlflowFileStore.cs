namespace PeftSharp.Tracking;

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

/// <summary>
/// MLflow's local file store: reads and writes the <c>mlruns/</c> layout MLflow's own <c>FileStore</c> uses, so the
/// MLflow UI (<c>MLFLOW_ALLOW_FILE_STORE=true mlflow ui</c>) and <c>mlflow migrate-filestore</c> read what it records.
/// </summary>
/// <remarks>
/// The contract is one writer per run, as in MLflow. Within a process every operation of one store instance holds a
/// lock, so two threads may log to the same store. <c>meta.yaml</c> files and tags are replaced atomically (temporary
/// file, then rename), so a reader never sees them half-written.
/// </remarks>
public sealed partial class MlflowFileStore : ITrackingClient
{
    /// <summary>The id of the experiment MLflow creates first, named <see cref="DefaultExperimentName"/>.</summary>
    public const string DefaultExperimentId = "0";

    /// <summary>The name of experiment <see cref="DefaultExperimentId"/>.</summary>
    public const string DefaultExperimentName = "Default";

    /// <summary>The run tag MLflow keeps equal to a run's <c>run_name</c>.</summary>
    public const string RunNameTag = "mlflow.runName";

    private const string TrashFolder = ".trash";
    private const string MetaFile = "meta.yaml";
    private const string MetricsFolder = "metrics";
    private const string ParamsFolder = "params";
    private const string TagsFolder = "tags";
    private const string ArtifactsFolder = "artifacts";
    private const string ActiveStage = "active";
    private static readonly TimeSpan CreationLockTimeout = TimeSpan.FromSeconds(30);

    // Folders inside an experiment that MLflow reserves for other data; never runs.
    private static readonly HashSet<string> ReservedExperimentFolders = new(StringComparer.Ordinal) { "tags", "datasets", "traces" };

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string> _runDirectories = new(StringComparer.Ordinal);

    /// <summary>Opens (creating if needed) the store at <paramref name="rootDirectory"/>, with experiment 0 "Default".</summary>
    /// <param name="rootDirectory">The <c>mlruns</c> folder; relative paths resolve against the current directory.</param>
    public MlflowFileStore(string rootDirectory)
        : this(rootDirectory, TimeProvider.System)
    {
    }

    /// <summary>Opens (creating if needed) the store with a clock for timestamps (tests pass a fixed one).</summary>
    /// <param name="rootDirectory">The <c>mlruns</c> folder; relative paths resolve against the current directory.</param>
    /// <param name="timeProvider">The clock for start, end, creation and update times.</param>
    public MlflowFileStore(string rootDirectory, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        RootDirectory = Path.GetFullPath(rootDirectory);
        _time = timeProvider;
        Directory.CreateDirectory(RootDirectory);
        lock (_gate)
        {
            using var processes = LockAgainstOtherProcesses();
            EnsureDefaultExperiment();
        }
    }

    /// <summary>The absolute path of the <c>mlruns</c> folder.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc />
    public string GetOrCreateExperiment(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            // Sweep workers start at the same moment: without the cross-process lock each one saw no experiment of the
            // name and created its own.
            using var processes = LockAgainstOtherProcesses();
            foreach (var (id, meta) in ReadExperiments(RootDirectory))
            {
                if (string.Equals(meta.GetString("name"), name, StringComparison.Ordinal)
                    && string.Equals(meta.GetString("lifecycle_stage") ?? ActiveStage, ActiveStage, StringComparison.Ordinal))
                {
                    return id;
                }
            }

            // MLflow refuses to create an experiment whose name a deleted one still holds.
            foreach (var (id, meta) in ReadExperiments(Path.Combine(RootDirectory, TrashFolder)))
            {
                if (string.Equals(meta.GetString("name"), name, StringComparison.Ordinal))
                {
                    throw new TrackingException(
                        TrackingErrorCodes.ResourceAlreadyExists,
                        $"Experiment '{name}' already exists in deleted state (id {id}, in '{Path.Combine(RootDirectory, TrashFolder, id)}'). " +
                        $"Restore it with 'mlflow experiments restore --experiment-id {id}', or remove it for good with 'mlflow gc', " +
                        "before using the name again.");
                }
            }

            string newId;
            do
            {
                newId = NewExperimentId();
            }
            while (Directory.Exists(Path.Combine(RootDirectory, newId)) || Directory.Exists(Path.Combine(RootDirectory, TrashFolder, newId)));

            WriteExperimentMeta(newId, name);
            return newId;
        }
    }

    // A named mutex per store folder (cross-process on Linux and Windows) while experiments are looked up and created:
    // one process at a time, the others wait. Nothing is written into the store, so it stays exactly MLflow's layout.
    private ExperimentCreationLock LockAgainstOtherProcesses() => new(RootDirectory, CreationLockTimeout);

    /// <inheritdoc />
    public string? FindExperimentId(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            foreach (var (id, meta) in ReadExperiments(RootDirectory))
            {
                if (string.Equals(meta.GetString("name"), name, StringComparison.Ordinal)
                    && string.Equals(meta.GetString("lifecycle_stage") ?? ActiveStage, ActiveStage, StringComparison.Ordinal))
                {
                    return id;
                }
            }

            return null;
        }
    }

    /// <summary>Reads an experiment's name, or null when the experiment does not exist.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <returns>The name.</returns>
    public string? GetExperimentName(string experimentId)
    {
        ValidateExperimentId(experimentId);
        lock (_gate)
        {
            return TryReadMeta(Path.Combine(RootDirectory, experimentId, MetaFile))?.GetString("name");
        }
    }

    /// <summary>Lists the active experiments as (id, name) pairs, in id order.</summary>
    /// <returns>The experiments.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> ListExperiments()
    {
        lock (_gate)
        {
            return ReadExperiments(RootDirectory)
                .Where(e => string.Equals(e.Meta.GetString("lifecycle_stage") ?? ActiveStage, ActiveStage, StringComparison.Ordinal))
                .Select(e => new KeyValuePair<string, string>(e.Id, e.Meta.GetString("name") ?? e.Id))
                .ToList();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Writes MLflow's layout: <c>&lt;exp&gt;/datasets/&lt;md5(name + digest)&gt;/meta.yaml</c> once per dataset and
    /// <c>&lt;run&gt;/inputs/&lt;md5(dataset_id + run_id)&gt;/meta.yaml</c> once per run and dataset.
    /// </remarks>
    public void LogInputs(string runId, IReadOnlyList<DatasetInput> inputs)
    {
        ValidateRunId(runId);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            input.Validate();
            ValidateKey(DatasetInput.ContextTag, "tag");
        }

        lock (_gate)
        {
            string runDirectory = FindRunDirectory(runId);
            var meta = ReadMeta(Path.Combine(runDirectory, MetaFile));
            EnsureActive(meta, runId);
            string experimentDirectory = Path.GetDirectoryName(runDirectory)!;
            foreach (var input in inputs)
            {
                string datasetId = DatasetId(input.Name, input.Digest);
                string datasetDirectory = Path.Combine(experimentDirectory, "datasets", datasetId);
                if (!File.Exists(Path.Combine(datasetDirectory, MetaFile)))
                {
                    Directory.CreateDirectory(datasetDirectory);
                    var values = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["digest"] = FlatYaml.String(input.Digest),
                        ["name"] = FlatYaml.String(input.Name),
                        ["profile"] = input.Profile is null ? FlatYaml.Null : FlatYaml.String(input.Profile),
                        ["schema"] = input.Schema is null ? FlatYaml.Null : FlatYaml.String(input.Schema),
                        ["source"] = FlatYaml.String(input.Source),
                        ["source_type"] = FlatYaml.String(input.SourceType),
                    };
                    AtomicFile.WriteAllText(Path.Combine(datasetDirectory, MetaFile), FlatYaml.Render(values), datasetDirectory);
                }

                string inputDirectory = Path.Combine(runDirectory, "inputs", DatasetId(datasetId, runId));
                if (!File.Exists(Path.Combine(inputDirectory, MetaFile)))
                {
                    Directory.CreateDirectory(inputDirectory);
                    var values = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["destination_id"] = FlatYaml.String(runId),
                        ["destination_type"] = "RUN",
                        ["source_id"] = FlatYaml.String(datasetId),
                        ["source_type"] = "DATASET",
                        ["tags"] = "\n  " + DatasetInput.ContextTag + ": " + FlatYaml.String(input.Context),
                    };
                    AtomicFile.WriteAllText(Path.Combine(inputDirectory, MetaFile), FlatYaml.Render(values), inputDirectory);
                }
            }
        }
    }

    /// <summary>Reads the datasets recorded as inputs of a run.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>The datasets, in input-folder order.</returns>
    public IReadOnlyList<DatasetInput> GetInputs(string runId)
    {
        ValidateRunId(runId);
        lock (_gate)
        {
            string runDirectory = FindRunDirectory(runId);
            string inputsDirectory = Path.Combine(runDirectory, "inputs");
            string datasetsDirectory = Path.Combine(Path.GetDirectoryName(runDirectory)!, "datasets");
            var inputs = new List<DatasetInput>();
            if (!Directory.Exists(inputsDirectory))
            {
                return inputs;
            }

            foreach (string inputDirectory in Directory.EnumerateDirectories(inputsDirectory).Order(StringComparer.Ordinal))
            {
                var input = ReadMeta(Path.Combine(inputDirectory, MetaFile));
                string datasetId = input.RequireString("source_id");
                if (!RunIdPattern().IsMatch(datasetId))
                {
                    throw input.Corrupt("source_id", "expected a dataset id (hex characters)");
                }

                var dataset = ReadMeta(Path.Combine(datasetsDirectory, datasetId, MetaFile));
                string context = InputContext(input);
                inputs.Add(new DatasetInput(
                    dataset.RequireString("name"),
                    dataset.RequireString("digest"),
                    dataset.RequireString("source_type"),
                    dataset.RequireString("source"),
                    dataset.GetString("schema"),
                    dataset.GetString("profile"),
                    context));
            }

            return inputs;
        }
    }

    private static string InputContext(FlatYamlDocument input)
    {
        // tags is a nested mapping ("tags:\n  mlflow.data.context: training"), kept as raw text by the flat reader.
        if (!input.Entries.TryGetValue("tags", out var tags))
        {
            return string.Empty;
        }

        foreach (string line in tags.Text.Split('\n'))
        {
            string trimmed = line.Trim();
            string prefix = DatasetInput.ContextTag + ":";
            if (trimmed.StartsWith(prefix, StringComparison.Ordinal))
            {
                string value = trimmed[prefix.Length..].Trim();
                return value.Length >= 2 && value[0] == '\'' && value[^1] == '\'' ? value[1..^1].Replace("''", "'", StringComparison.Ordinal) : value;
            }
        }

        return string.Empty;
    }

    /// <inheritdoc />
    public void LogArtifact(string runId, string localPath, string? artifactDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        if (!File.Exists(localPath))
        {
            throw new FileNotFoundException($"The artifact file '{localPath}' does not exist.", localPath);
        }

        string relative = MlflowRestClient.ArtifactRelativePath(artifactDirectory, Path.GetFileName(localPath));
        string target = Path.Combine(GetArtifactDirectory(runId), relative.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(localPath, target, overwrite: true);
    }

    /// <summary>MLflow's file-store dataset id: the MD5 of the name followed by the digest, as hex (also used for input ids).</summary>
    /// <param name="first">The dataset name (or, for an input id, the dataset id).</param>
    /// <param name="second">The digest (or the run id).</param>
    /// <returns>32 lower-case hex characters.</returns>
    public static string DatasetId(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
#pragma warning disable CA5351 // MLflow's layout names folders by MD5; it is an identifier, not a security measure.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(first + second)));
#pragma warning restore CA5351
    }

    /// <inheritdoc />
    public RunInfo CreateRun(string experimentId, string runName, IReadOnlyList<RunTag>? tags = null)
    {
        ValidateExperimentId(experimentId);
        ArgumentNullException.ThrowIfNull(runName);
        tags ??= [];
        ValidateTags(tags);

        string? tagRunName = tags.LastOrDefault(t => t.Key == RunNameTag)?.Value;
        if (runName.Length != 0 && tagRunName is not null && tagRunName != runName)
        {
            throw new ArgumentException(
                $"The run name '{runName}' and the '{RunNameTag}' tag '{tagRunName}' differ; MLflow keeps them equal, so give one or make them match.",
                nameof(tags));
        }

        lock (_gate)
        {
            string experimentDirectory = Path.Combine(RootDirectory, experimentId);
            var experiment = TryReadMeta(Path.Combine(experimentDirectory, MetaFile))
                ?? throw new TrackingException(
                    TrackingErrorCodes.ResourceDoesNotExist, $"Experiment '{experimentId}' does not exist in '{RootDirectory}'.");
            if (!string.Equals(experiment.GetString("lifecycle_stage") ?? ActiveStage, ActiveStage, StringComparison.Ordinal))
            {
                throw new TrackingException(
                    TrackingErrorCodes.InvalidState, $"Experiment '{experimentId}' is deleted; runs can only be created in active experiments.");
            }

            string runId = Guid.NewGuid().ToString("N");
            string name = runName.Length != 0 ? runName : tagRunName ?? "run-" + runId[..8];
            string runDirectory = Path.Combine(experimentDirectory, runId);
            foreach (string folder in new[] { MetricsFolder, ParamsFolder, TagsFolder, ArtifactsFolder })
            {
                Directory.CreateDirectory(Path.Combine(runDirectory, folder));
            }

            long startTime = NowMs();
            string artifactUri = FileUris.FromPath(Path.Combine(runDirectory, ArtifactsFolder));
            string userId = Environment.UserName;
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["artifact_uri"] = FlatYaml.String(artifactUri),
                ["deleted_time"] = FlatYaml.Null,
                ["end_time"] = FlatYaml.Null,
                ["entry_point_name"] = FlatYaml.Quoted(string.Empty),
                ["experiment_id"] = FlatYaml.Quoted(experimentId),
                ["lifecycle_stage"] = ActiveStage,
                ["run_id"] = FlatYaml.String(runId),
                ["run_name"] = FlatYaml.String(name),
                ["run_uuid"] = FlatYaml.String(runId),
                ["source_name"] = FlatYaml.Quoted(string.Empty),
                ["source_type"] = FlatYaml.Integer(4),
                ["source_version"] = FlatYaml.Quoted(string.Empty),
                ["start_time"] = FlatYaml.Integer(startTime),
                ["status"] = FlatYaml.Integer(RunStatus.Running.ToFileStoreCode()),
                ["tags"] = FlatYaml.EmptyList,
                ["user_id"] = FlatYaml.String(userId),
            };
            AtomicFile.WriteAllText(Path.Combine(runDirectory, MetaFile), FlatYaml.Render(values), runDirectory);

            // What MLflow's fluent client sets on every run; explicit tags win, except the run name, kept in sync.
            var allTags = new Dictionary<string, string>(SystemTags.Collect(), StringComparer.Ordinal) { [SystemTags.User] = userId };
            foreach (var tag in tags)
            {
                allTags[tag.Key] = tag.Value;
            }

            allTags[RunNameTag] = name;
            foreach (var (key, value) in allTags)
            {
                WriteTag(runDirectory, key, value);
            }

            _runDirectories[runId] = runDirectory;
            return new RunInfo(runId, experimentId, name, RunStatus.Running, startTime, null, artifactUri);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A key or value breaks MLflow's rules, or a parameter key appears twice.</exception>
    /// <exception cref="TrackingException">
    /// A parameter already has a different value ("Changing param values is not allowed"), the run does not exist or
    /// is deleted, or a key's path collides with another key's (e.g. <c>a</c> and <c>a/b</c>).
    /// </exception>
    public void LogBatch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags)
    {
        ValidateRunId(runId);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);

        // Everything is checked before anything is written: a rejected batch leaves the run unchanged.
        foreach (var metric in metrics)
        {
            ArgumentNullException.ThrowIfNull(metric, nameof(metrics));
            ValidateKey(metric.Key, "metric");
        }

        var seenParams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var param in parameters)
        {
            ArgumentNullException.ThrowIfNull(param, nameof(parameters));
            ValidateKey(param.Key, "param");
            TrackingValidation.ValidateParamValue(param.Key, param.Value);
            if (!seenParams.Add(param.Key))
            {
                throw new ArgumentException(
                    $"Duplicate parameter key '{param.Key}' in one batch; MLflow rejects batches that repeat a parameter.", nameof(parameters));
            }
        }

        ValidateTags(tags);

        lock (_gate)
        {
            string runDirectory = FindRunDirectory(runId);
            var meta = ReadMeta(Path.Combine(runDirectory, MetaFile));
            EnsureActive(meta, runId);

            string paramsDirectory = Path.Combine(runDirectory, ParamsFolder);
            var newParams = new List<Param>();
            foreach (var param in parameters)
            {
                string path = KeyPath(paramsDirectory, param.Key);
                if (!File.Exists(path))
                {
                    newParams.Add(param);
                    continue;
                }

                string existing = File.ReadAllText(path, AtomicFile.Utf8);
                if (!string.Equals(existing, param.Value, StringComparison.Ordinal))
                {
                    throw new TrackingException(
                        TrackingErrorCodes.InvalidParameterValue,
                        $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{existing}' " +
                        $"for run ID='{runId}'. Attempted logging new value '{param.Value}'.");
                }
            }

            string metricsDirectory = Path.Combine(runDirectory, MetricsFolder);
            string tagsDirectory = Path.Combine(runDirectory, TagsFolder);
            CheckKeyPaths(runId, metricsDirectory, metrics.Select(m => m.Key), "metric");
            CheckKeyPaths(runId, paramsDirectory, newParams.Select(p => p.Key), "param");
            CheckKeyPaths(runId, tagsDirectory, tags.Select(t => t.Key), "tag");

            // One append per metric file, in the order the points were given.
            foreach (var group in metrics.GroupBy(m => m.Key, StringComparer.Ordinal))
            {
                var lines = new StringBuilder();
                foreach (var metric in group)
                {
                    lines.Append(FormatMetricLine(metric));
                }

                string path = KeyPath(metricsDirectory, group.Key);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, lines.ToString(), AtomicFile.Utf8);
            }

            foreach (var param in newParams)
            {
                string path = KeyPath(paramsDirectory, param.Key);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, param.Value, AtomicFile.Utf8);
            }

            foreach (var tag in tags)
            {
                WriteTag(runDirectory, tag.Key, tag.Value);
            }

            // MLflow renames the run when its mlflow.runName tag changes, keeping meta.yaml's run_name equal to it.
            var renamed = tags.LastOrDefault(t => t.Key == RunNameTag);
            if (renamed is not null && !string.Equals(meta.GetString("run_name"), renamed.Value, StringComparison.Ordinal))
            {
                RewriteMeta(runDirectory, meta, values => values["run_name"] = FlatYaml.String(renamed.Value));
            }
        }
    }

    /// <inheritdoc />
    public void UpdateRun(string runId, RunStatus status, long? endTimeMs)
    {
        ValidateRunId(runId);
        _ = status.ToFileStoreCode();
        lock (_gate)
        {
            string runDirectory = FindRunDirectory(runId);
            var meta = ReadMeta(Path.Combine(runDirectory, MetaFile));
            EnsureActive(meta, runId);
            RewriteMeta(runDirectory, meta, values =>
            {
                values["status"] = FlatYaml.Integer(status.ToFileStoreCode());
                if (endTimeMs is long end)
                {
                    values["end_time"] = FlatYaml.Integer(end);
                }
            });
        }
    }

    /// <inheritdoc />
    public RunRecord GetRun(string runId)
    {
        ValidateRunId(runId);
        lock (_gate)
        {
            string runDirectory = FindRunDirectory(runId);
            var tags = ReadKeyFiles(Path.Combine(runDirectory, TagsFolder));
            var info = ToRunInfo(runDirectory, ReadMeta(Path.Combine(runDirectory, MetaFile)), tags);
            var parameters = ReadKeyFiles(Path.Combine(runDirectory, ParamsFolder));

            string metricsDirectory = Path.Combine(runDirectory, MetricsFolder);
            var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
            foreach (var (key, path) in EnumerateKeyFiles(metricsDirectory))
            {
                Metric? best = null;
                foreach (var metric in ReadMetricFile(path, key))
                {
                    if (best is null || IsLater(metric, best))
                    {
                        best = metric;
                    }
                }

                if (best is not null)
                {
                    latest[key] = best;
                }
            }

            return new RunRecord(info, parameters, tags, latest);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Metric> GetMetricHistory(string runId, string key)
    {
        ValidateRunId(runId);
        ValidateKey(key, "metric");
        lock (_gate)
        {
            string path = KeyPath(Path.Combine(FindRunDirectory(runId), MetricsFolder), key);
            return File.Exists(path) ? ReadMetricFile(path, key) : [];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RunInfo> ListRuns(string experimentId)
    {
        ValidateExperimentId(experimentId);
        lock (_gate)
        {
            string experimentDirectory = Path.Combine(RootDirectory, experimentId);
            if (!File.Exists(Path.Combine(experimentDirectory, MetaFile)))
            {
                throw new TrackingException(
                    TrackingErrorCodes.ResourceDoesNotExist, $"Experiment '{experimentId}' does not exist in '{RootDirectory}'.");
            }

            var runs = new List<RunInfo>();
            foreach (string runDirectory in Directory.EnumerateDirectories(experimentDirectory))
            {
                string name = Path.GetFileName(runDirectory);
                string metaPath = Path.Combine(runDirectory, MetaFile);
                if (ReservedExperimentFolders.Contains(name) || name.StartsWith('.') || !File.Exists(metaPath))
                {
                    continue;
                }

                var meta = ReadMeta(metaPath);
                if (string.Equals(meta.GetString("lifecycle_stage") ?? ActiveStage, ActiveStage, StringComparison.Ordinal))
                {
                    runs.Add(ToRunInfo(runDirectory, meta, tags: null));
                    _runDirectories[name] = runDirectory;
                }
            }

            return runs
                .OrderByDescending(r => r.StartTimeMs)
                .ThenBy(r => r.RunId, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <inheritdoc />
    public string GetArtifactDirectory(string runId)
    {
        ValidateRunId(runId);
        lock (_gate)
        {
            // The folder next to meta.yaml rather than artifact_uri, which goes stale when mlruns/ is moved.
            string directory = Path.Combine(FindRunDirectory(runId), ArtifactsFolder);
            Directory.CreateDirectory(directory);
            return directory;
        }
    }

    /// <summary>
    /// Formats one metric-file line exactly as MLflow writes it: <c>"&lt;timestamp_ms&gt; &lt;value&gt; &lt;step&gt;\n"</c>,
    /// the value as Python's <c>repr</c> (shortest round-trip, <c>nan</c>, <c>inf</c>, <c>-inf</c>).
    /// </summary>
    /// <param name="metric">The point to format.</param>
    /// <returns>The line, ending in <c>\n</c>.</returns>
    public static string FormatMetricLine(Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return string.Create(
            CultureInfo.InvariantCulture, $"{metric.TimestampMs} {PythonFloat.Format(metric.Value)} {metric.Step}\n");
    }

    private static bool IsLater(Metric candidate, Metric best)
    {
        // MLflow's choice of the "latest" point: largest step, then timestamp, then value (NaN lowest).
        if (candidate.Step != best.Step)
        {
            return candidate.Step > best.Step;
        }

        if (candidate.TimestampMs != best.TimestampMs)
        {
            return candidate.TimestampMs > best.TimestampMs;
        }

        double a = double.IsNaN(candidate.Value) ? double.NegativeInfinity : candidate.Value;
        double b = double.IsNaN(best.Value) ? double.NegativeInfinity : best.Value;
        return a > b;
    }

    private static List<Metric> ReadMetricFile(string path, string key)
    {
        var points = new List<Metric>();
        string[] lines = File.ReadAllLines(path, AtomicFile.Utf8);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0)
            {
                continue;
            }

            // MLflow's reader takes "<timestamp> <value>" (old files) or "<timestamp> <value> <step>".
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            long step = 0;
            if (fields.Length is not (2 or 3)
                || !long.TryParse(fields[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long timestamp)
                || !PythonFloat.TryParse(fields[1], out double value)
                || fields.Length == 3 && !long.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out step))
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Corrupt MLflow metric file '{path}', line {i + 1}: expected '<timestamp_ms> <value> <step>', found '{line}'."));
            }

            points.Add(new Metric(key, value, timestamp, step));
        }

        return points;
    }

    private static Dictionary<string, string> ReadKeyFiles(string directory)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, path) in EnumerateKeyFiles(directory))
        {
            values[key] = File.ReadAllText(path, AtomicFile.Utf8);
        }

        return values;
    }

    private static IEnumerable<(string Key, string Path)> EnumerateKeyFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        // A '/' in a key is a subfolder on disk, so the key is the path relative to the folder.
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => (Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'), path))
            .OrderBy(entry => entry.Item1, StringComparer.Ordinal);
    }

    private static string KeyPath(string directory, string key) =>
        Path.Combine(directory, key.Replace('/', Path.DirectorySeparatorChar));

    private static void CheckKeyPaths(string runId, string directory, IEnumerable<string> keys, string kind)
    {
        // "a" and "a/b" cannot both exist: one is a file, the other needs a folder of the same name.
        var batch = new HashSet<string>(keys, StringComparer.Ordinal);
        foreach (string key in batch)
        {
            if (Directory.Exists(KeyPath(directory, key)))
            {
                throw PathConflict(runId, kind, key, $"the store already has {kind}s under '{key}/'");
            }

            for (int slash = key.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = key.IndexOf('/', slash + 1))
            {
                string prefix = key[..slash];
                if (batch.Contains(prefix) || File.Exists(KeyPath(directory, prefix)))
                {
                    throw PathConflict(runId, kind, key, $"'{prefix}' is also a {kind}, and a key cannot be both a {kind} and a folder of {kind}s");
                }
            }
        }
    }

    private static TrackingException PathConflict(string runId, string kind, string key, string reason) =>
        new(TrackingErrorCodes.InvalidParameterValue, $"Cannot log {kind} '{key}' to run '{runId}': {reason}.");

    private static void ValidateKey(string key, string kind)
    {
        TrackingValidation.ValidateKey(key, kind);
        if (OperatingSystem.IsWindows() && key.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid {kind} key '{key}': ':' cannot be part of a file name on Windows.", nameof(key));
        }
    }

    private static void ValidateTags(IReadOnlyList<RunTag> tags)
    {
        foreach (var tag in tags)
        {
            ArgumentNullException.ThrowIfNull(tag, nameof(tags));
            ValidateKey(tag.Key, "tag");
            TrackingValidation.ValidateTagValue(tag.Key, tag.Value);
        }
    }

    private static void ValidateRunId(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);

        // MLflow's run id rule; it also keeps the id from escaping the store as a path.
        if (!RunIdPattern().IsMatch(runId))
        {
            throw new ArgumentException($"Invalid run id '{runId}': expected letters, digits, '_' and '-' (MLflow run ids are 32 hex characters).", nameof(runId));
        }
    }

    private static void ValidateExperimentId(string experimentId)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        if (!RunIdPattern().IsMatch(experimentId) || ReservedExperimentFolders.Contains(experimentId))
        {
            throw new ArgumentException($"Invalid experiment id '{experimentId}': expected letters, digits, '_' and '-' (file store ids are integers).", nameof(experimentId));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,255}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdPattern();

    private static void EnsureActive(FlatYamlDocument meta, string runId)
    {
        string stage = meta.GetString("lifecycle_stage") ?? ActiveStage;
        if (!string.Equals(stage, ActiveStage, StringComparison.Ordinal))
        {
            throw new TrackingException(
                TrackingErrorCodes.InvalidState, $"The run {runId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    private static string NewExperimentId()
    {
        // MLflow's ids are random 18-digit integers (its uuid4-derived scheme), so concurrent creators rarely collide.
        ulong random = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        const ulong low = 100_000_000_000_000_000UL;
        return (low + (random % (9 * low))).ToString(CultureInfo.InvariantCulture);
    }

    private static FlatYamlDocument? TryReadMeta(string path) => File.Exists(path) ? ReadMeta(path) : null;

    private static FlatYamlDocument ReadMeta(string path)
    {
        // MLflow's reader retries briefly on an empty file, which another writer may be about to fill.
        for (int attempt = 0; ; attempt++)
        {
            string text;
            try
            {
                text = File.ReadAllText(path, AtomicFile.Utf8);
            }
            catch (FileNotFoundException)
            {
                throw new TrackingException(TrackingErrorCodes.ResourceDoesNotExist, $"The MLflow metadata file '{path}' does not exist.");
            }

            if (text.Trim().Length != 0)
            {
                return FlatYaml.Parse(text, path);
            }

            if (attempt == 4)
            {
                throw new InvalidDataException($"Corrupt MLflow metadata file '{path}': the file is empty.");
            }

            Thread.Sleep(50);
        }
    }

    private static IEnumerable<(string Id, FlatYamlDocument Meta)> ReadExperiments(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (string experimentDirectory in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(experimentDirectory);
            string metaPath = Path.Combine(experimentDirectory, MetaFile);
            if (id.StartsWith('.') || !File.Exists(metaPath))
            {
                continue;
            }

            yield return (id, ReadMeta(metaPath));
        }
    }

    private static RunInfo ToRunInfo(string runDirectory, FlatYamlDocument meta, IReadOnlyDictionary<string, string>? tags)
    {
        string runId = meta.GetString("run_id") ?? meta.GetString("run_uuid") ?? Path.GetFileName(runDirectory);
        long statusCode = meta.RequireInt64("status");
        if (statusCode is < 1 or > 5)
        {
            throw meta.Corrupt("status", string.Create(CultureInfo.InvariantCulture, $"expected a run status code from 1 to 5, found {statusCode}"));
        }

        // Runs written by MLflow before 2.x have no run_name; the tag holds it then.
        string? runName = meta.GetString("run_name");
        if (runName is null)
        {
            string tagPath = KeyPath(Path.Combine(runDirectory, TagsFolder), RunNameTag);
            runName = tags is not null ? tags.GetValueOrDefault(RunNameTag) : File.Exists(tagPath) ? File.ReadAllText(tagPath, AtomicFile.Utf8) : null;
        }

        return new RunInfo(
            runId,
            meta.RequireString("experiment_id"),
            runName ?? string.Empty,
            RunStatusCodes.FromFileStoreCode(statusCode),
            meta.GetInt64("start_time") ?? 0,
            meta.GetInt64("end_time"),
            meta.GetString("artifact_uri") ?? FileUris.FromPath(Path.Combine(runDirectory, ArtifactsFolder)));
    }

    private string FindRunDirectory(string runId)
    {
        if (_runDirectories.TryGetValue(runId, out string? cached) && File.Exists(Path.Combine(cached, MetaFile)))
        {
            return cached;
        }

        // Active experiments first, then deleted ones (MLflow still finds runs of deleted experiments).
        foreach (string parent in new[] { RootDirectory, Path.Combine(RootDirectory, TrashFolder) })
        {
            if (!Directory.Exists(parent))
            {
                continue;
            }

            foreach (string experimentDirectory in Directory.EnumerateDirectories(parent))
            {
                string name = Path.GetFileName(experimentDirectory);
                string runDirectory = Path.Combine(experimentDirectory, runId);
                if (!name.StartsWith('.') && File.Exists(Path.Combine(runDirectory, MetaFile)))
                {
                    _runDirectories[runId] = runDirectory;
                    return runDirectory;
                }
            }
        }

        throw new TrackingException(
            TrackingErrorCodes.ResourceDoesNotExist, $"Run '{runId}' not found in the MLflow file store at '{RootDirectory}'.");
    }

    private static void WriteTag(string runDirectory, string key, string value)
    {
        string path = KeyPath(Path.Combine(runDirectory, TagsFolder), key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Tags are overwritten, so replace them atomically; the temporary file sits in the run folder, not among tags.
        AtomicFile.WriteAllText(path, value, runDirectory);
    }

    private static void RewriteMeta(string runDirectory, FlatYamlDocument meta, Action<Dictionary<string, string>> change)
    {
        // Fields this class does not manage are written back as they were read.
        var values = meta.Entries.ToDictionary(e => e.Key, e => FlatYaml.RenderScalar(e.Value), StringComparer.Ordinal);
        change(values);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, MetaFile), FlatYaml.Render(values), runDirectory);
    }

    private void EnsureDefaultExperiment()
    {
        bool exists = File.Exists(Path.Combine(RootDirectory, DefaultExperimentId, MetaFile))
            || Directory.Exists(Path.Combine(RootDirectory, TrashFolder, DefaultExperimentId));
        if (!exists)
        {
            WriteExperimentMeta(DefaultExperimentId, DefaultExperimentName);
        }
    }

    private void WriteExperimentMeta(string id, string name)
    {
        string directory = Path.Combine(RootDirectory, id);
        Directory.CreateDirectory(directory);
        long now = NowMs();
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["artifact_location"] = FlatYaml.String(FileUris.FromPath(directory)),
            ["creation_time"] = FlatYaml.Integer(now),
            ["experiment_id"] = FlatYaml.Quoted(id),
            ["last_update_time"] = FlatYaml.Integer(now),
            ["lifecycle_stage"] = ActiveStage,
            ["name"] = FlatYaml.String(name),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, MetaFile), FlatYaml.Render(values), directory);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
