namespace FashionResNetLora;

using System;
using FashionResNetLora.Data;
using PeftSharp.Data;
using PeftSharp.Training;
using static TorchSharp.torch;

/// <summary>Accuracy and mean cross-entropy of the classifier on every image of a dataset, in evaluation mode.</summary>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Count">Images evaluated.</param>
public sealed record ClassifierMetrics(double Accuracy, double Loss, long Count)
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="dataset"/>, restoring its training mode afterwards.</summary>
    public static ClassifierMetrics Evaluate(FashionClassifier model, ParquetDataset dataset, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        var wasTraining = model.training;
        model.eval();
        long correct = 0, count = 0;
        double lossSum = 0;
        try
        {
            using var noGrad = no_grad();
            using var loader = dataset.OpenBatches(new BatchOptions(batchSize) { Device = device });
            foreach (var batch in loader)
            {
                using (batch)
                {
                    using var scope = NewDisposeScope();
                    var labels = batch[FashionMnist.LabelColumn];
                    var logits = model.call(batch[FashionMnist.ImageColumn]);
                    correct += logits.argmax(1).eq(labels).sum().item<long>();
                    lossSum += ScalarValue.Of(nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum));
                    count += labels.shape[0];
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return new ClassifierMetrics((double)correct / count, lossSum / count, count);
    }
}
