namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using CreditRiskLora.Metrics;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// One training phase on the engine: class-weighted cross-entropy (each class weighs in as if the classes were
/// balanced, so 5% bad loans are not ignored), one validation per epoch, early stopping on validation ROC AUC, and the
/// best epoch's trainable weights restored at the end.
/// </summary>
public static class CreditRiskTraining
{
    /// <summary>Class weights n / (2 n_c) of the labels in <paramref name="data"/>: [good, bad].</summary>
    public static float[] BalancedClassWeights(TabularData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var bad = Enumerable.Range(0, data.Count).Count(r => data.Label(r) == 1);
        var good = data.Count - bad;
        if (bad == 0 || good == 0)
        {
            throw new ArgumentException($"The training rows need both classes; they have {good} good and {bad} bad loans.", nameof(data));
        }

        return [(float)(data.Count / (2.0 * good)), (float)(data.Count / (2.0 * bad))];
    }

    /// <summary>Trains the trainable parameters of <paramref name="model"/> (already on <paramref name="device"/>).</summary>
    public static PhaseOutcome Train(
        CreditRiskClassifier model,
        TabularData train,
        TabularData validation,
        TrainerOptions options,
        int batchSize,
        int seed,
        Device device,
        IMetricSink metrics,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        using var weights = tensor(BalancedClassWeights(train), device: device);
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var best = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var bestAuc = double.NegativeInfinity;
        var evaluationTime = new Stopwatch();
        try
        {
            Dictionary<string, double> Evaluate()
            {
                evaluationTime.Start();
                var result = CreditEvaluation.Evaluate(model, validation, device, 0.5);
                if (result.RocAuc > bestAuc)
                {
                    bestAuc = result.RocAuc;
                    foreach (var (name, parameter) in trainable)
                    {
                        best.Remove(name, out var previous);
                        previous?.Dispose();
                        best[name] = parameter.detach().clone();
                    }
                }

                evaluationTime.Stop();
                return new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    ["eval/roc_auc"] = result.RocAuc,
                    ["eval/pr_auc"] = result.PrAuc,
                    ["eval/loss"] = result.Loss,
                };
            }

            var phase = options with { MonitorMetric = "eval/roc_auc", HigherIsBetter = true, EvaluateEverySteps = null };
            var watch = Stopwatch.StartNew();
            var outcome = new Trainer(phase, metrics).Fit(
                model,
                new TabularBatches(train, batchSize, seed, device),
                b => nn.functional.cross_entropy(model.forward(b.Features), b.Labels, weight: weights),
                Evaluate,
                cancellationToken: cancellationToken);
            watch.Stop();

            using (no_grad())
            {
                foreach (var (name, parameter) in trainable)
                {
                    parameter.copy_(best[name]);
                }
            }

            var stepMs = outcome.Steps == 0 ? 0 : (watch.Elapsed - evaluationTime.Elapsed).TotalMilliseconds / outcome.Steps;
            return new PhaseOutcome(outcome.Steps, outcome.BestStep, bestAuc, watch.Elapsed.TotalSeconds, stepMs);
        }
        finally
        {
            foreach (var snapshot in best.Values)
            {
                snapshot.Dispose();
            }
        }
    }
}
