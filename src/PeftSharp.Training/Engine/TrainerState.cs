namespace PeftSharp.Training.Engine;

/// <summary>The counters a checkpoint stores so training resumes exactly where it stopped.</summary>
public sealed record TrainerState
{
    /// <summary>The checkpoint layout version, checked on resume.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; init; }

    /// <summary>The epoch in progress (0-based).</summary>
    public int Epoch { get; init; }

    /// <summary>Micro-batches of <see cref="Epoch"/> already consumed.</summary>
    public int BatchInEpoch { get; init; }

    /// <summary>Best value of the monitored metric so far (NaN before the first evaluation).</summary>
    public double BestValue { get; init; } = double.NaN;

    /// <summary>Step of <see cref="BestValue"/>.</summary>
    public long BestStep { get; init; } = -1;

    /// <summary>Evaluations since the best one.</summary>
    public int EvaluationsWithoutImprovement { get; init; }
}
