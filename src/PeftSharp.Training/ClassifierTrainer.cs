namespace PeftSharp.Training;

using System;
using System.Globalization;
using System.Linq;
using PeftSharp.Data;
using PeftSharp.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Mini-batch training and evaluation of a classifier on tabular data: AdamW over the trainable parameters only,
/// one dispose scope per step so a long run's memory stays flat, and a clear failure on a non-finite loss.
/// </summary>
public static class ClassifierTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> (already on <paramref name="device"/>) on <paramref name="data"/>, logging
    /// <c>{prefix}/loss</c> every step and <c>{prefix}/epoch_loss</c> every epoch. Returns the number of steps taken.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has nothing to train, or the loss became NaN or infinite.</exception>
    public static long Train(nn.Module<Tensor, Tensor> model, TabularData data, TrainingOptions options, Device device, IMetricSink metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);

        // Only trainable parameters, and no decay on biases and norms (AdamW keeps state for every parameter it gets).
        using var optimizer = ParameterGroups.AdamW(model, options.LearningRate, options.WeightDecay);
        using var features = data.FeaturesTensor(device);
        using var labels = data.LabelsTensor(device);

        model.train();
        long step = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = DataSplits.Shuffle(data.Count, unchecked((options.Seed * 7919) + epoch));
            double epochLoss = 0;
            var batches = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                var rows = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
                var index = tensor(rows.Select(r => (long)r).ToArray(), device: device);
                var logits = model.forward(features.index_select(0, index));
                var loss = nn.functional.cross_entropy(logits, labels.index_select(0, index));

                optimizer.zero_grad();
                loss.backward();
                optimizer.step();

                var value = loss.item<float>();
                step++;
                if (!float.IsFinite(value))
                {
                    throw new InvalidOperationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The {options.MetricPrefix} loss became {value} at step {step} (epoch {epoch + 1}). Lower the learning rate ({options.LearningRate}) or check the data for extreme values."));
                }

                metrics.LogMetric($"{options.MetricPrefix}/loss", value, step);
                epochLoss += value;
                batches++;
            }

            metrics.LogMetric($"{options.MetricPrefix}/epoch_loss", epochLoss / batches, epoch + 1);
        }

        return step;
    }

    /// <summary>Accuracy and mean cross-entropy of <paramref name="model"/> on <paramref name="data"/>, in eval mode.</summary>
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, TabularData data, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Cannot evaluate on an empty dataset.", nameof(data));
        }

        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var labels = data.LabelsTensor(device);
            var logits = model.forward(data.FeaturesTensor(device));
            var loss = nn.functional.cross_entropy(logits, labels).item<float>();
            var correct = logits.argmax(1).eq(labels).sum().item<long>();
            return new Evaluation((double)correct / data.Count, loss, data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
