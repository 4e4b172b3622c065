namespace KeywordSpottingLora;

using System;
using System.Collections.Generic;
using System.Threading;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Optimization;
using static TorchSharp.torch;

/// <summary>The training steps of the experiment, on the engine: loss, pretraining, adaptation.</summary>
public static class KeywordTraining
{
    /// <summary>Mean cross-entropy of one batch.</summary>
    public static Tensor Loss(KeywordCnn model, TabularBatch batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        return nn.functional.cross_entropy(model.forward(batch.Features), batch.Labels);
    }

    /// <summary>Evaluation metrics for the trainer: accuracy and loss on <paramref name="data"/>, as eval/accuracy and eval/loss.</summary>
    public static Func<IReadOnlyDictionary<string, double>> Evaluator(KeywordCnn model, TabularData data, Device device) => () =>
    {
        var result = ClassifierEvaluation.Evaluate(model, data, device);
        return new Dictionary<string, double> { ["eval/accuracy"] = result.Accuracy, ["eval/loss"] = result.Loss };
    };

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/> with the engine, keeping the best step by validation accuracy.</summary>
    public static TrainingOutcome Fit(
        KeywordCnn model, TabularData train, TabularData validation, TrainerOptions options, IMetricSink metrics, int batchSize, int seed, Device device, CancellationToken cancellationToken)
    {
        var trainer = new Trainer(options, metrics);
        return trainer.Fit(model, new TabularBatches(train, batchSize, seed, device), b => Loss(model, b), Evaluator(model, validation, device), cancellationToken: cancellationToken);
    }

    /// <summary>Trainer settings for an AdamW run of <paramref name="epochs"/> at <paramref name="learningRate"/>, evaluated every epoch.</summary>
    public static TrainerOptions Options(int epochs, double learningRate, double weightDecay, int warmupSteps = 0) => new()
    {
        Epochs = epochs,
        LearningRate = learningRate,
        WeightDecay = weightDecay,
        WarmupSteps = warmupSteps,
        Decay = DecayKind.Cosine,
    };
}
