namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using CreditRiskLora.Metrics;
using PeftSharp.Data;
using PeftSharp.Training.Engine;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// One training phase: class-weighted cross-entropy (each class weighs in as if the classes were balanced, so rare
/// bad loans are not ignored), one validation per epoch, early stopping on validation ROC AUC, and the best epoch's
/// trainable weights restored at the end (kept in memory: a resumed run restores the best epoch since it resumed).
/// </summary>
public static class CreditRiskTraining
{
    /// <summary>Class weights n / (2 n_c) of the labels in <paramref name="data"/>: [good, bad].</summary>
    /// <exception cref="ArgumentException">One class is absent.</exception>
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

    /// <summary>The engine options of a phase: per-epoch validation, early stopping and best step on ROC AUC.</summary>
    public static TrainerOptions PhaseOptions(int epochs, double learningRate, double weightDecay, int patience) => new()
    {
        Epochs = epochs,
        LearningRate = learningRate,
        WeightDecay = weightDecay,
        EarlyStoppingPatience = patience,
        MonitorMetric = "eval/roc_auc",
        HigherIsBetter = true,
    };

    /// <summary>Trains the trainable parameters of <paramref name="model"/> (already on <paramref name="device"/>) with <paramref name="fit"/>.</summary>
    public static PhaseOutcome Train(
        CreditRiskClassifier model, TabularData train, TabularData validation, TrainerOptions options, int batchSize, int seed, Device device, PhaseFit fit)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fit);
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

            var watch = Stopwatch.StartNew();
            var outcome = fit(
                options,
                model,
                new TabularBatches(train, batchSize, seed, device),
                b => nn.functional.cross_entropy(model.forward(b.Features), b.Labels, weight: weights),
                Evaluate);
            watch.Stop();
            if (best.Count > 0)
            {
                using (no_grad())
                {
                    foreach (var (name, parameter) in trainable)
                    {
                        parameter.copy_(best[name]);
                    }
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
