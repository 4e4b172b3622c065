namespace PeftSharp.Tests.Finance;

using PeftSharp.Training.Metrics;
using System;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>
/// ROC AUC, average precision and recall at a fixed precision against numbers computed by hand (and, for a larger
/// case, against a brute-force count of all positive/negative pairs in float64).
/// </summary>
public sealed class RankingMetricsTests
{
    // scikit-learn's documentation example: roc_auc_score = 0.75, average_precision_score = 0.8333.
    private static readonly double[] DocScores = [0.1, 0.4, 0.35, 0.8];
    private static readonly int[] DocLabels = [0, 0, 1, 1];

    [Fact]
    public void The_documented_example_has_the_hand_computed_values()
    {
        RankingMetrics.RocAuc(DocScores, DocLabels).Should().BeApproximately(0.75, 1e-12);

        // Thresholds 0.8 (P 1, R 0.5), 0.4 (P 0.5, R 0.5), 0.35 (P 2/3, R 1), 0.1 (P 0.5, R 1): 0.5 * 1 + 0.5 * 2/3.
        RankingMetrics.AveragePrecision(DocScores, DocLabels).Should().BeApproximately(5.0 / 6, 1e-12);
        RankingMetrics.RecallAtPrecision(DocScores, DocLabels, 0.6).Should().Be(1.0);
        RankingMetrics.RecallAtPrecision(DocScores, DocLabels, 0.9).Should().Be(0.5);
        RankingMetrics.RecallAtPrecision(DocScores, DocLabels, 1.0).Should().Be(0.5);
    }

    [Fact]
    public void Tied_scores_count_half_and_share_one_threshold()
    {
        double[] scores = [0.9, 0.9, 0.5, 0.5, 0.1];
        int[] labels = [1, 0, 1, 0, 1];

        // Pairs (positive, negative): (0.9, 0.9) 0.5, (0.9, 0.5) 1, (0.5, 0.9) 0, (0.5, 0.5) 0.5, (0.1, *) 0: 2 of 6.
        RankingMetrics.RocAuc(scores, labels).Should().BeApproximately(1.0 / 3, 1e-12);

        // Thresholds 0.9 (P 1/2, R 1/3), 0.5 (P 2/4, R 2/3), 0.1 (P 3/5, R 1).
        RankingMetrics.AveragePrecision(scores, labels).Should().BeApproximately((0.5 / 3) + (0.5 / 3) + (0.6 / 3), 1e-12);
        RankingMetrics.RecallAtPrecision(scores, labels, 0.55).Should().Be(1.0);
        RankingMetrics.RecallAtPrecision(scores, labels, 0.7).Should().Be(0.0, "no threshold reaches precision 0.7");
    }

    [Fact]
    public void Perfect_and_reversed_rankings_reach_the_bounds()
    {
        RankingMetrics.RocAuc([0.2, 0.9], [0, 1]).Should().Be(1.0);
        RankingMetrics.AveragePrecision([0.2, 0.9], [0, 1]).Should().Be(1.0);
        RankingMetrics.RocAuc([0.9, 0.2], [0, 1]).Should().Be(0.0);

        // The only positive comes last: precision 1/2 at full recall.
        RankingMetrics.AveragePrecision([0.9, 0.2], [0, 1]).Should().Be(0.5);
    }

    [Fact]
    public void Roc_auc_equals_the_brute_force_pair_count_on_rare_positives_with_ties()
    {
        var random = new Random(7);
        var labels = Enumerable.Range(0, 2000).Select(_ => random.NextDouble() < 0.05 ? 1 : 0).ToArray();

        // Scores rounded to two decimals: many ties; positives shifted up so the ranking is informative.
        var scores = labels.Select(l => Math.Round(random.NextDouble() + (0.3 * l), 2)).ToArray();
        double wins = 0;
        long pairs = 0;
        for (var p = 0; p < labels.Length; p++)
        {
            for (var n = 0; n < labels.Length; n++)
            {
                if (labels[p] == 1 && labels[n] == 0)
                {
                    pairs++;
                    wins += scores[p] > scores[n] ? 1 : scores[p] == scores[n] ? 0.5 : 0;
                }
            }
        }

        RankingMetrics.RocAuc(scores, labels).Should().BeApproximately(wins / pairs, 1e-12);
    }

    [Fact]
    public void Average_precision_of_random_scores_is_near_the_positive_rate()
    {
        var random = new Random(11);
        var labels = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble() < 0.05 ? 1 : 0).ToArray();
        var scores = labels.Select(_ => random.NextDouble()).ToArray();
        RankingMetrics.AveragePrecision(scores, labels).Should().BeApproximately(labels.Average(), 0.01);
        RankingMetrics.RocAuc(scores, labels).Should().BeApproximately(0.5, 0.03);
    }

    [Fact]
    public void Invalid_input_is_refused_with_the_reason()
    {
        var oneClass = () => RankingMetrics.RocAuc([0.1, 0.2], [0, 0]);
        oneClass.Should().Throw<ArgumentException>().WithMessage("*both classes*0 positives and 2 negatives*");
        var lengths = () => RankingMetrics.AveragePrecision([0.1], [0, 1]);
        lengths.Should().Throw<ArgumentException>().WithMessage("1 scores but 2 labels*");
        var label = () => RankingMetrics.RocAuc([0.1, 0.2], [0, 2]);
        label.Should().Throw<ArgumentException>().WithMessage("Label 2 is not 0 or 1*");
        var nan = () => RankingMetrics.RocAuc([double.NaN, 0.2], [0, 1]);
        nan.Should().Throw<ArgumentException>().WithMessage("A score is NaN*");
        var precision = () => RankingMetrics.RecallAtPrecision(DocScores, DocLabels, 0);
        precision.Should().Throw<ArgumentException>().WithMessage("*(0, 1]*");
    }
}
