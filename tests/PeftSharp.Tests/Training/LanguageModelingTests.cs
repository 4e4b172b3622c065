namespace PeftSharp.Tests.Training;

using System;
using System.Linq;
using FluentAssertions;
using PeftSharp.Training.Metrics;
using Xunit;
using static TorchSharp.torch;

/// <summary>Token-level loss and perplexity against a float64 computation written out by hand.</summary>
public sealed class LanguageModelingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Token_loss_and_perplexity_equal_the_float64_mean_over_labelled_tokens(bool causal)
    {
        manual_seed(3);
        using var logits = randn(2, 5, 7);
        long[,] labels = { { 1, 4, -100, 6, 0 }, { 2, -100, -100, 3, 5 } };
        using var labelTensor = tensor(labels.Cast<long>().ToArray()).reshape(2, 5);

        var (expectedLoss, tokens) = Reference(logits.data<float>().ToArray(), labels, causal);
        using var loss = LanguageModeling.TokenLoss(logits, labelTensor, causal);
        var meter = new PerplexityMeter(causal);
        meter.Add(logits.narrow(0, 0, 1), labelTensor.narrow(0, 0, 1));
        meter.Add(logits.narrow(0, 1, 1), labelTensor.narrow(0, 1, 1));

        loss.item<float>().Should().BeApproximately((float)expectedLoss, 1e-5f);
        meter.Tokens.Should().Be(tokens);
        meter.Loss.Should().BeApproximately(expectedLoss, 1e-6, "batches are summed per token, not averaged per batch");
        meter.ToMetrics()["eval/perplexity"].Should().BeApproximately(Math.Exp(expectedLoss), 1e-5);
    }

    [Fact]
    public void Mismatched_shapes_name_both()
    {
        using var logits = zeros(2, 5, 7);
        using var labels = zeros(2, 4, dtype: ScalarType.Int64);

        var act = () => LanguageModeling.TokenLoss(logits, labels);

        act.Should().Throw<ArgumentException>().WithMessage("*[2, 5, 7]*[2, 4]*");
    }

    private static (double Loss, long Tokens) Reference(float[] logits, long[,] labels, bool causal)
    {
        const int vocabulary = 7;
        int batch = labels.GetLength(0), length = labels.GetLength(1);
        double total = 0;
        long count = 0;
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < length - (causal ? 1 : 0); t++)
            {
                var label = labels[b, causal ? t + 1 : t];
                if (label == -100)
                {
                    continue;
                }

                var row = Enumerable.Range(0, vocabulary).Select(v => (double)logits[((b * length) + t) * vocabulary + v]).ToArray();
                var max = row.Max();
                var logSum = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
                total += logSum - row[label];
                count++;
            }
        }

        return (total / count, count);
    }
}
