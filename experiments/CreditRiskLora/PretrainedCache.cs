namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.Globalization;

/// <summary>
/// Pretrained bases by everything pretraining depends on, so a sweep over methods in one process pretrains once per
/// seed. Pretraining is deterministic on the CPU (same seed, data and options give the same weights), so a cached base
/// equals a recomputed one; a resumed or separate-process run simply recomputes it.
/// </summary>
public sealed class PretrainedCache : IDisposable
{
    private readonly Dictionary<string, PretrainedBase> bases = new(StringComparer.Ordinal);

    /// <summary>The cached base for <paramref name="options"/>, or one made by <paramref name="pretrain"/> and kept.</summary>
    public PretrainedBase GetOrAdd(CreditRiskOptions options, string device, Func<PretrainedBase> pretrain)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pretrain);
        var key = string.Create(
            CultureInfo.InvariantCulture,
            $"{options.DataDir}|{options.Source}|{options.Target}|{options.Seed}|{options.HiddenSize}|{options.DropoutRate}|{options.PretrainEpochs}|"
            + $"{options.PretrainLearningRate}|{options.BatchSize}|{options.WeightDecay}|{options.Patience}|{options.TestFraction}|"
            + $"{options.TargetTrainRows}|{options.MinPrecision}|{device}");
        if (!bases.TryGetValue(key, out var pretrained))
        {
            pretrained = pretrain();
            bases[key] = pretrained;
        }

        return pretrained;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var pretrained in bases.Values)
        {
            pretrained.Dispose();
        }

        bases.Clear();
    }
}
