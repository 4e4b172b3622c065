namespace PeftSharp.Training.Engine;

using PeftSharp.Training.Optimization;

/// <summary>Hyperparameters of the training engine.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Peak AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW decoupled weight decay (never applied to biases and norms).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Micro-batches whose gradients add up to one optimizer step.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Clip the global gradient L2 norm to this value before each step; null disables clipping.</summary>
    public double? MaxGradientNorm { get; init; } = 1.0;

    /// <summary>Optimizer steps of linear warm-up.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>Learning-rate decay after warm-up.</summary>
    public DecayKind Decay { get; init; } = DecayKind.Linear;

    /// <summary>Evaluate every this many optimizer steps; null evaluates at the end of each epoch.</summary>
    public int? EvaluateEverySteps { get; init; }

    /// <summary>
    /// Read the loss and gradient norm back from the device every this many optimizer steps (and always before an
    /// evaluation, a checkpoint or a stop). Each read waits for the device, so on a GPU a window lets the host queue
    /// steps while the GPU computes; metrics and progress then arrive in bursts, and a NaN is reported (with its
    /// step) at the end of its window. Null: every step on the CPU, 32 steps on CUDA.
    /// </summary>
    public int? LossReadInterval { get; init; }

    /// <summary>The evaluation metric that picks the best checkpoint and drives early stopping.</summary>
    public string MonitorMetric { get; init; } = "eval/accuracy";

    /// <summary>True when a larger <see cref="MonitorMetric"/> is better.</summary>
    public bool HigherIsBetter { get; init; } = true;

    /// <summary>Evaluations without improvement before stopping; 0 never stops early.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Save a resumable checkpoint every this many optimizer steps (and at the end); null saves only at the end.</summary>
    public int? CheckpointEverySteps { get; init; }

    /// <summary>Folder for checkpoints; null disables them.</summary>
    public string? CheckpointDirectory { get; init; }
}
