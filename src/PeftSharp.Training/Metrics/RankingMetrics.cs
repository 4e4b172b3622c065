namespace PeftSharp.Training.Metrics;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>
/// Threshold-free metrics of a score that ranks positives above negatives, the ones that stay
/// informative when positives are rare. Definitions follow scikit-learn: <c>roc_auc_score</c> (tied scores count
/// half), <c>average_precision_score</c> (PR AUC as the step-wise sum of precision times recall gained, no
/// interpolation), and the highest recall reachable at a minimum precision. Thresholds are the distinct scores, so
/// tied scores are always on the same side.
/// </summary>
public static class RankingMetrics
{
    /// <summary>ROC AUC: the probability that a random positive scores above a random negative (ties count half).</summary>
    /// <exception cref="ArgumentException">Different lengths, a label other than 0/1, a NaN score, or only one class.</exception>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        var (positives, negatives) = Check(scores, labels);

        // Mann-Whitney: sum the (tie-averaged, 1-based) ranks of the positives.
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var averageRank = ((start + 1) + (end + 1)) / 2.0;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]] == 1)
                {
                    positiveRankSum += averageRank;
                }
            }

            start = end + 1;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>PR AUC as average precision: the sum over thresholds of (recall gained) x (precision there).</summary>
    /// <exception cref="ArgumentException">As <see cref="RocAuc"/>.</exception>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        Check(scores, labels);
        var points = Curve(scores, labels);
        double sum = 0;
        double previousRecall = 0;
        foreach (var (precision, recall) in points)
        {
            sum += (recall - previousRecall) * precision;
            previousRecall = recall;
        }

        return sum;
    }

    /// <summary>
    /// The highest recall of any threshold whose precision is at least <paramref name="minPrecision"/>; 0 when no
    /// threshold reaches it. Answers "how many bad loans are caught while at least this share of the loans flagged
    /// is really bad".
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RocAuc"/>, or a precision outside (0, 1].</exception>
    public static double RecallAtPrecision(IReadOnlyList<double> scores, IReadOnlyList<int> labels, double minPrecision)
    {
        if (!(minPrecision > 0 && minPrecision <= 1))
        {
            throw new ArgumentException($"The minimum precision must be in (0, 1]; got {minPrecision}.", nameof(minPrecision));
        }

        Check(scores, labels);
        return Curve(scores, labels).Where(p => p.Precision >= minPrecision).Select(p => p.Recall).DefaultIfEmpty(0).Max();
    }

    // (precision, recall) of "positive when score >= t" for each distinct score t, from the highest down.
    private static List<(double Precision, double Recall)> Curve(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        var positives = labels.Count(l => l == 1);
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var points = new List<(double, double)>();
        long truePositives = 0;
        long flagged = 0;
        for (var k = 0; k < order.Length; k++)
        {
            truePositives += labels[order[k]];
            flagged++;
            if (k + 1 == order.Length || scores[order[k + 1]] != scores[order[k]])
            {
                points.Add(((double)truePositives / flagged, (double)truePositives / positives));
            }
        }

        return points;
    }

    private static (long Positives, long Negatives) Check(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        }

        if (scores.Any(double.IsNaN))
        {
            throw new ArgumentException("A score is NaN; ranking metrics need finite scores.", nameof(scores));
        }

        long positives = 0;
        foreach (var label in labels)
        {
            positives += label switch
            {
                1 => 1,
                0 => 0,
                _ => throw new ArgumentException($"Label {label} is not 0 or 1.", nameof(labels)),
            };
        }

        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException(
                $"Ranking metrics need both classes; there are {positives} positives and {negatives} negatives. Use a larger or stratified evaluation set.", nameof(labels));
        }

        return (positives, negatives);
    }
}
