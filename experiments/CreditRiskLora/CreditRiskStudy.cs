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
using PeftSharp.Training.Engine;
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

    /// <summary>Pretrains the base model on the source (every parameter) and measures it on both portfolios.</summary>
    public PretrainedBase Pretrain(CreditRiskOptions options, Device device, IMetricSink metrics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Reproducibility.Seed(options.Seed);
        using var model = options.CreateModel();
        model.to(device);
        var outcome = CreditRiskTraining.Train(
            model, SourceTrain, SourceValidation, PhaseOptions(options, options.PretrainEpochs, options.PretrainLearningRate), options.BatchSize, options.Seed, device, metrics, cancellationToken);
        var weights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone(), StringComparer.Ordinal);
        return new PretrainedBase(
            weights,
            outcome,
            CreditEvaluation.Evaluate(model, SourceValidation, device, options.MinPrecision),
            CreditEvaluation.Evaluate(model, TargetTest, device, options.MinPrecision));
    }

    /// <summary>Obtains the target model with <see cref="CreditRiskOptions.Method"/> and tests it.</summary>
    public MethodResult Adapt(CreditRiskOptions options, PretrainedBase pretrained, Device device, IMetricSink metrics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pretrained);

        // A seed per method, so each starts from the same random state however many methods ran before it.
        Reproducibility.Seed(options.Seed + 1000 + (int)options.Method);
        using var model = options.CreateModel();
        switch (options.Method)
        {
            case AdaptationMethod.Lora:
                pretrained.LoadInto(model);
                model.ApplyAdapters(options.AdapterOverrides);
                break;
            case AdaptationMethod.Full:
                pretrained.LoadInto(model);
                break;
            case AdaptationMethod.Head:
                pretrained.LoadInto(model);
                AdapterWiring.Freeze(model, model.TrainableModules);
                break;
            case AdaptationMethod.Scratch:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown adaptation method.");
        }

        model.to(device);
        var parameters = ParameterReport.Of(model);
        var outcome = CreditRiskTraining.Train(
            model, TargetTrain, TargetValidation, PhaseOptions(options, options.Epochs, options.TargetLearningRate), options.BatchSize, options.Seed, device, metrics, cancellationToken);
        var test = CreditEvaluation.Evaluate(model, TargetTest, device, options.MinPrecision);
        return new MethodResult(options.Method, test, parameters, outcome, parameters.Trainable * 3 * sizeof(float));
    }

    private static TrainerOptions PhaseOptions(CreditRiskOptions options, int epochs, double learningRate) => new()
    {
        Epochs = epochs,
        LearningRate = learningRate,
        WeightDecay = options.WeightDecay,
        EarlyStoppingPatience = options.Patience,
    };
}
