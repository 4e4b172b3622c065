namespace PeftSharp.Training.Optimization;

using System;
using TorchSharp;

/// <summary>
/// Linear warm-up to the peak learning rate, then constant, linear or cosine decay to zero at the last step —
/// the same multipliers as Hugging Face's <c>get_linear_schedule_with_warmup</c> and
/// <c>get_cosine_schedule_with_warmup</c>. Stateless: the factor is a function of the step, so resuming a run needs
/// only the step count.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">Steps of linear warm-up from 0; 0 starts at the peak.</param>
    /// <param name="totalSteps">Optimizer steps of the whole run.</param>
    /// <param name="decay">What happens after warm-up.</param>
    public LearningRateSchedule(long warmupSteps, long totalSteps, DecayKind decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (warmupSteps > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Warm-up cannot be longer than the run ({totalSteps} steps).");
        }

        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        Decay = decay;
    }

    /// <summary>Steps of warm-up.</summary>
    public long WarmupSteps { get; }

    /// <summary>Steps of the run.</summary>
    public long TotalSteps { get; }

    /// <summary>The decay after warm-up.</summary>
    public DecayKind Decay { get; }

    /// <summary>The multiplier of the peak learning rate for the optimizer step numbered <paramref name="step"/> (0-based).</summary>
    public double Factor(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return (double)step / Math.Max(1, WarmupSteps);
        }

        var progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Decay switch
        {
            DecayKind.Constant => 1.0,
            DecayKind.Linear => Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps)),
            DecayKind.Cosine => Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * progress))),
            _ => throw new InvalidOperationException($"Unknown decay {Decay}."),
        };
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to its initial rate times <see cref="Factor"/>.</summary>
    /// <returns>The learning rate of the first group after the change.</returns>
    public double Apply(torch.optim.Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var factor = Factor(step);
        double first = double.NaN;
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = group.InitialLearningRate * factor;
            if (double.IsNaN(first))
            {
                first = group.LearningRate;
            }
        }

        return first;
    }
}
