namespace PeftSharp.Training.Runner;

using PeftSharp.Tracking;

/// <summary>What one run ended with.</summary>
/// <typeparam name="TResult">What the experiment's <c>TrainAsync</c> returned.</typeparam>
/// <param name="RunId">The MLflow run id.</param>
/// <param name="Status">FINISHED, KILLED (Ctrl-C) or FAILED.</param>
/// <param name="Value">The experiment's result; default unless FINISHED.</param>
/// <param name="Error">Why the run failed or stopped, or null.</param>
/// <param name="RunDirectory">The run's folder in a file store; null for a server.</param>
public sealed record RunResult<TResult>(string RunId, RunStatus Status, TResult? Value, string? Error, string? RunDirectory)
{
    /// <summary>The process exit code for this outcome: 0 FINISHED, 130 KILLED (128 + SIGINT, as shells report Ctrl-C), 1 otherwise.</summary>
    public int ExitCode => Status switch
    {
        RunStatus.Finished => 0,
        RunStatus.Killed => ExperimentRunner.InterruptedExitCode,
        _ => 1,
    };
}
