namespace PeftSharp.Tracking;

using System.Collections.Generic;

/// <summary>
/// A backend-neutral MLflow tracking client: the local <c>mlruns/</c> file store (<see cref="MlflowFileStore"/>), the
/// REST client (<see cref="MlflowRestClient"/>) and its offline-tolerant front (<see cref="SpoolingTrackingClient"/>)
/// implement it with the same semantics (params write-once, tags overwrite, metrics append).
/// </summary>
public interface ITrackingClient
{
    /// <summary>Returns the id of the active experiment with this name, creating the experiment if there is none.</summary>
    /// <param name="name">The experiment name (<c>Default</c> is experiment <c>0</c>).</param>
    /// <returns>The experiment id.</returns>
    string GetOrCreateExperiment(string name);

    /// <summary>Returns the id of the active experiment with this name, or null when there is none; creates nothing.</summary>
    /// <param name="name">The experiment name.</param>
    /// <returns>The experiment id, or null.</returns>
    string? FindExperimentId(string name);

    /// <summary>
    /// Creates a run in status <see cref="RunStatus.Running"/>, started now, with the system tags
    /// <c>mlflow.runName</c>, <c>mlflow.user</c>, <c>mlflow.source.type</c> and <c>mlflow.source.name</c>.
    /// </summary>
    /// <param name="experimentId">The experiment to create the run in.</param>
    /// <param name="runName">The display name; when empty the implementation picks one.</param>
    /// <param name="tags">Extra tags to set on the run.</param>
    /// <returns>The new run's info.</returns>
    RunInfo CreateRun(string experimentId, string runName, IReadOnlyList<RunTag>? tags = null);

    /// <summary>
    /// Logs metrics (appended), params (write-once) and tags (overwritten) in one call. Everything is validated first:
    /// an invalid batch logs nothing. Implementations split batches as their backend requires.
    /// </summary>
    /// <param name="runId">The run to log to.</param>
    /// <param name="metrics">Metric points to append.</param>
    /// <param name="parameters">Parameters to set; no key may appear twice.</param>
    /// <param name="tags">Tags to set; <c>mlflow.runName</c> also renames the run.</param>
    void LogBatch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags);

    /// <summary>Sets a run's status and, when given, its end time.</summary>
    /// <param name="runId">The run to update.</param>
    /// <param name="status">The new status.</param>
    /// <param name="endTimeMs">The end time in Unix epoch milliseconds; null leaves the stored end time unchanged.</param>
    void UpdateRun(string runId, RunStatus status, long? endTimeMs);

    /// <summary>Reads a run with its parameters, tags and latest metrics.</summary>
    /// <param name="runId">The run to read.</param>
    /// <returns>The run.</returns>
    RunRecord GetRun(string runId);

    /// <summary>Reads every logged point of one metric, in logging order; empty when the metric was never logged.</summary>
    /// <param name="runId">The run to read.</param>
    /// <param name="key">The metric key.</param>
    /// <returns>The metric's history.</returns>
    IReadOnlyList<Metric> GetMetricHistory(string runId, string key);

    /// <summary>Lists the active runs of an experiment, newest first (start time descending, then run id).</summary>
    /// <param name="experimentId">The experiment to list.</param>
    /// <returns>The runs' info.</returns>
    IReadOnlyList<RunInfo> ListRuns(string experimentId);

    /// <summary>The local folder where the run's artifacts go (for the file store, <c>&lt;run&gt;/artifacts</c>); it exists on return.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>The absolute folder path.</returns>
    string GetArtifactDirectory(string runId);

    /// <summary>Records datasets the run used (MLflow's run inputs). Logging the same dataset twice records it once.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="inputs">The datasets.</param>
    void LogInputs(string runId, IReadOnlyList<DatasetInput> inputs);

    /// <summary>Stores a file as an artifact of the run, under <paramref name="artifactDirectory"/> (a relative path with <c>/</c>).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="localPath">The file to store.</param>
    /// <param name="artifactDirectory">The folder inside the run's artifacts; null or empty for the top level.</param>
    void LogArtifact(string runId, string localPath, string? artifactDirectory = null);
}
