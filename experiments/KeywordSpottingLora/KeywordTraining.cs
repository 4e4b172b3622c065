namespace KeywordSpottingLora;

using System;
using System.Collections.Generic;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Optimization;
using static TorchSharp.torch;

/// <summary>What the experiment gives the engine: the loss of a batch, the validation metrics, the trainer settings.</summary>
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
