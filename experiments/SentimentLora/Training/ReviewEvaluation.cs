namespace SentimentLora.Training;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Training.Metrics;
using PeftSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Accuracy, macro F1 and mean cross-entropy of the classifier on tokenized reviews.</summary>
public static class ReviewEvaluation
{
    /// <summary>Reviews per evaluation batch (no gradients are kept, so larger batches than training fit).</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Evaluates <paramref name="model"/> on <paramref name="reviews"/> in evaluation mode without gradients, and
    /// returns the metrics named <paramref name="prefix"/>accuracy, f1 and loss. The model's training mode is restored.
    /// </summary>
    public static Dictionary<string, double> Evaluate(SentimentClassifier model, TokenizedReviews reviews, Device device, string prefix)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reviews);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var matrix = new ConfusionMatrix(2);
            var lossSum = 0.0;
            foreach (var batch in ReviewBatches.InLengthOrder(reviews, BatchSize, device))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    var logits = model.call(batch.InputIds, batch.AttentionMask);
                    lossSum += ScalarValue.Of(nn.functional.cross_entropy(logits, batch.Labels, reduction: nn.Reduction.Sum));
                    matrix.Add(batch.Labels.cpu().data<long>().ToArray(), logits.argmax(1).cpu().data<long>().ToArray());
                }
            }

            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [prefix + "accuracy"] = matrix.Accuracy,
                [prefix + "f1"] = matrix.MacroF1,
                [prefix + "loss"] = lossSum / Math.Max(1, reviews.Count),
            };
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
