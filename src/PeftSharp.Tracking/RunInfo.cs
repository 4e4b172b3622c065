namespace PeftSharp.Tracking;

/// <summary>The identity and state of a run, as stored in its <c>meta.yaml</c>.</summary>
/// <param name="RunId">The run id: 32 lower-case hexadecimal characters.</param>
/// <param name="ExperimentId">The id of the experiment the run belongs to.</param>
/// <param name="RunName">The display name (kept equal to the <c>mlflow.runName</c> tag).</param>
/// <param name="Status">The run's state.</param>
/// <param name="StartTimeMs">When the run was created, in Unix epoch milliseconds.</param>
/// <param name="EndTimeMs">When the run ended, in Unix epoch milliseconds; null while it runs.</param>
/// <param name="ArtifactUri">Where the run's artifacts live, for the file store a <c>file://</c> URI.</param>
public sealed record RunInfo(
    string RunId,
    string ExperimentId,
    string RunName,
    RunStatus Status,
    long StartTimeMs,
    long? EndTimeMs,
    string ArtifactUri);
