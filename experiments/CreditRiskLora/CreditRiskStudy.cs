namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CreditRiskLora.Data;
using CreditRiskLora.Metrics;
using PeftSharp;
using PeftSharp.Data;
using PeftSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The data of one run, ready for training: source and target split (<see cref="CreditSplits"/>) and encoded, each
/// dataset with an encoder fitted on its own training rows (per-dataset standardisation: the target's statistics need
/// no target labels, so they are available wherever the model is deployed).
/// </summary>
public sealed class CreditRiskStudy
{
    private CreditRiskStudy(CreditSplits splits, TabularData sourceTrain, TabularData sourceValidation, TabularData targetTrain, TabularData targetValidation, TabularData targetTest)
    {
        Splits = splits;
        SourceTrain = sourceTrain;
        SourceValidation = sourceValidation;
        TargetTrain = targetTrain;
        TargetValidation = targetValidation;
        TargetTest = targetTest;
    }

    /// <summary>The rows of each phase, harmonised but not encoded.</summary>
    public CreditSplits Splits { get; }

    /// <summary>Encoded source pretraining rows.</summary>
    public TabularData SourceTrain { get; }

    /// <summary>Encoded source validation rows (pick the pretrained epoch).</summary>
    public TabularData SourceValidation { get; }

    /// <summary>Encoded target training rows.</summary>
    public TabularData TargetTrain { get; }

    /// <summary>Encoded target validation rows (pick the adapted epoch).</summary>
    public TabularData TargetValidation { get; }

    /// <summary>Encoded target test rows (reported only).</summary>
    public TabularData TargetTest { get; }

    /// <summary>Reads (preparing them on first use) the harmonised files of the options' source and target, then splits and encodes.</summary>
    public static async Task<CreditRiskStudy> LoadAsync(CreditRiskOptions options, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Source == options.Target)
        {
            throw new ArgumentException($"--source and --target are both '{options.Source}'; adaptation needs two different datasets.");
        }

        await CreditDataPreparation.PrepareAsync(options.DataDir, options.CacheDir, log, [options.Source, options.Target], cancellationToken).ConfigureAwait(false);
        var source = await CreditTableFile.ReadAsync(CreditDataPreparation.PathOf(options.DataDir, options.Source), options.Source, cancellationToken).ConfigureAwait(false);
        var target = await CreditTableFile.ReadAsync(CreditDataPreparation.PathOf(options.DataDir, options.Target), options.Target, cancellationToken).ConfigureAwait(false);
        return FromTables(source, target, options);
    }

    /// <summary>Splits and encodes two harmonised tables.</summary>
    public static CreditRiskStudy FromTables(CreditTable source, CreditTable target, CreditRiskOptions options)
    {
        var splits = CreditSplits.Create(source, target, options);
        var sourceEncoder = CreditFeatureEncoder.Fit(splits.SourceTrain);
        var targetEncoder = CreditFeatureEncoder.Fit(splits.TargetTrain);
        return new CreditRiskStudy(
            splits,
            sourceEncoder.Encode(splits.SourceTrain),
            sourceEncoder.Encode(splits.SourceValidation),
            targetEncoder.Encode(splits.TargetTrain),
            targetEncoder.Encode(splits.TargetValidation),
            targetEncoder.Encode(splits.TargetTest));
    }

    /// <summary>Pretrains the base model on the source (every parameter, with <paramref name="fit"/>) and measures it on both portfolios.</summary>
    public PretrainedBase Pretrain(CreditRiskOptions options, Device device, PhaseFit fit)
    {
        ArgumentNullException.ThrowIfNull(options);
        Reproducibility.Seed(options.Seed);
        using var model = options.CreateModel();
        model.to(device);
        var outcome = CreditRiskTraining.Train(
            model, SourceTrain, SourceValidation,
            CreditRiskTraining.PhaseOptions(options.PretrainEpochs, options.PretrainLearningRate, options.WeightDecay, options.Patience),
            options.BatchSize, options.Seed, device, fit);
        var weights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone(), StringComparer.Ordinal);
        return new PretrainedBase(
            weights,
            outcome,
            CreditEvaluation.Evaluate(model, SourceValidation, device, options.MinPrecision),
            CreditEvaluation.Evaluate(model, TargetTest, device, options.MinPrecision));
    }

    /// <summary>
    /// The model <see cref="CreditRiskOptions.Method"/> trains on the target, on the CPU: the pretrained weights (except
    /// for scratch), then LoRA applied by the generated <c>ApplyAdapters()</c>, or only the head left trainable.
    /// </summary>
    /// <returns>The model and the adapters applied (empty unless LoRA).</returns>
    public static (CreditRiskClassifier Model, IReadOnlyList<AdapterTarget> Plan) CreateTargetModel(CreditRiskOptions options, PretrainedBase? pretrained)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Method != AdaptationMethod.Scratch && pretrained is null)
        {
            throw new ArgumentNullException(nameof(pretrained), $"Method {options.Method} starts from the pretrained base.");
        }

        // A seed per method, so each starts from the same random state whatever ran before it in the process.
        Reproducibility.Seed(options.Seed + 1000 + (int)options.Method);
        var model = options.CreateModel();
        IReadOnlyList<AdapterTarget> plan = [];
        switch (options.Method)
        {
            case AdaptationMethod.Lora:
                pretrained!.LoadInto(model);
                plan = model.ApplyAdapters(options.AdapterOverrides);
                break;
            case AdaptationMethod.Full:
                pretrained!.LoadInto(model);
                break;
            case AdaptationMethod.Head:
                pretrained!.LoadInto(model);
                AdapterWiring.Freeze(model, model.TrainableModules);
                break;
            case AdaptationMethod.Scratch:
                break;
            default:
                model.Dispose();
                throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown adaptation method.");
        }

        return (model, plan);
    }
}
