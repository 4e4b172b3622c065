namespace PeftSharp.Training.Runner;

/// <summary>
/// How and where a run executes, as opposed to what it computes (the experiment's hyperparameters): the runner's own
/// options, parsed from the command line by <see cref="RunnerOptions"/>. An experiment that declares a hyperparameter
/// of the same name (for example <c>--seed</c>, to sweep it) takes that option over; the runner then reads its value
/// from the bound hyperparameters.
/// </summary>
public sealed record RunSettings
{
    /// <summary>The default seed.</summary>
    public const int DefaultSeed = 42;

    /// <summary>One seed for weight init, dropout and data order (<see cref="Reproducibility.Seed"/>).</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary><c>auto</c> (CUDA when available), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// The dtype of the model's frozen parameters: <c>float32</c> (default) or <c>bfloat16</c>, which halves their memory
    /// and, on a GPU, speeds up their matrix products; trainable parameters stay float32 (<see cref="RunContext.PlaceModel"/>).
    /// </summary>
    public string BaseDtype { get; init; } = "float32";

    /// <summary>LibTorch's CPU threads (<c>torch.set_num_threads</c>); null keeps LibTorch's default.</summary>
    public int? Threads { get; init; }

    /// <summary>A checkpoint folder to continue training from.</summary>
    public string? Resume { get; init; }

    /// <summary>Where checkpoints and the final adapter go; null means <c>checkpoints/&lt;run id&gt;</c>.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Also checkpoint every this many optimizer steps; null checkpoints only at the end and on Ctrl-C.</summary>
    public int? CheckpointEverySteps { get; init; }

    /// <summary>The MLflow experiment; null means <c>MLFLOW_EXPERIMENT_NAME</c>, else the experiment's name.</summary>
    public string? ExperimentName { get; init; }

    /// <summary>The run's display name; null lets the runner name it (method, seed, trial).</summary>
    public string? RunName { get; init; }

    /// <summary>Sweep trials run in this many child processes at once; 1 runs them one after another in this process.</summary>
    public int Workers { get; init; } = 1;
}
