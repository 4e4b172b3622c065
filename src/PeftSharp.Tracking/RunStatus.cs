namespace PeftSharp.Tracking;

/// <summary>
/// The state of an MLflow run. The file store persists it as an integer (<see cref="RunStatusCodes.ToFileStoreCode"/>,
/// 1 to 5 in declaration order); the REST protocol sends the upper-case name (<see cref="RunStatusCodes.ToRestName"/>).
/// </summary>
public enum RunStatus
{
    /// <summary>The run is in progress (MLflow code 1, <c>RUNNING</c>).</summary>
    Running,

    /// <summary>The run is queued but has not started (MLflow code 2, <c>SCHEDULED</c>).</summary>
    Scheduled,

    /// <summary>The run completed successfully (MLflow code 3, <c>FINISHED</c>).</summary>
    Finished,

    /// <summary>The run ended with an error (MLflow code 4, <c>FAILED</c>).</summary>
    Failed,

    /// <summary>The run was stopped from outside (MLflow code 5, <c>KILLED</c>).</summary>
    Killed,
}
