namespace CreditRiskLora.Metrics;

using PeftSharp.Training;
using PeftSharp.Training.Metrics;
using System;
using System.Linq;
using PeftSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Scores loans with a classifier (eval mode, no gradients) and computes <see cref="CreditMetrics"/>.</summary>
public static class CreditEvaluation
{
    /// <summary>The bad-loan probabilities of <paramref name="model"/> for every row of <paramref name="data"/>.</summary>
    public static double[] BadProbabilities(nn.Module<Tensor, Tensor> model, TabularData data, Device device) =>
        ClassifierEvaluation.ClassProbabilities(model, data, device, classIndex: 1);

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="data"/> (labels 1 = bad).</summary>
    public static CreditMetrics Evaluate(nn.Module<Tensor, Tensor> model, TabularData data, Device device, double minPrecision)
    {
        var probabilities = BadProbabilities(model, data, device);
        var labels = Enumerable.Range(0, data.Count).Select(r => (int)data.Label(r)).ToArray();
        var correct = labels.Where((label, r) => (probabilities[r] > 0.5 ? 1 : 0) == label).Count();
        var loss = -labels.Select((label, r) => Math.Log(Math.Max(label == 1 ? probabilities[r] : 1 - probabilities[r], 1e-12))).Average();
        return new CreditMetrics(
            RankingMetrics.RocAuc(probabilities, labels),
            RankingMetrics.AveragePrecision(probabilities, labels),
            RankingMetrics.RecallAtPrecision(probabilities, labels, minPrecision),
            minPrecision,
            (double)correct / data.Count,
            loss,
            data.Count,
            labels.Average());
    }
}
