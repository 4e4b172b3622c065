namespace PeftSharp.Training.Metrics;

using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Evaluation of a language-modelling head over many batches: the total negative log-likelihood and the number of
/// labelled tokens, so the loss is the exact mean per token (not a mean of batch means) and perplexity = exp(loss).
/// </summary>
/// <param name="causal">Position t predicts token t + 1 (see <see cref="LanguageModeling.TokenLoss"/>).</param>
public sealed class PerplexityMeter(bool causal = false)
{
    /// <summary>Labelled tokens counted so far.</summary>
    public long Tokens { get; private set; }

    /// <summary>Sum of the tokens' negative log-likelihoods (nats).</summary>
    public double TotalNegativeLogLikelihood { get; private set; }

    /// <summary>Mean negative log-likelihood per token (NaN before any token).</summary>
    public double Loss => Tokens == 0 ? double.NaN : TotalNegativeLogLikelihood / Tokens;

    /// <summary>exp(<see cref="Loss"/>).</summary>
    public double Perplexity => Math.Exp(Loss);

    /// <summary>Adds a batch: <paramref name="logits"/> [batch, tokens, vocabulary], <paramref name="labels"/> [batch, tokens] with <see cref="LanguageModeling.IgnoreIndex"/> for tokens that do not count.</summary>
    public void Add(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        LanguageModeling.CheckShapes(logits, labels);
        using var scope = NewDisposeScope();
        var (flatLogits, flatLabels) = LanguageModeling.Flatten(logits, labels, causal);
        using var noGrad = no_grad();
        TotalNegativeLogLikelihood += nn.functional.cross_entropy(flatLogits.to(ScalarType.Float64), flatLabels, ignore_index: LanguageModeling.IgnoreIndex, reduction: nn.Reduction.Sum).item<double>();
        using var ignored = LanguageModeling.IgnoreIndex.ToScalar();
        Tokens += flatLabels.ne(ignored).sum().item<long>();
    }

    /// <summary>The metrics for the trainer: <c>{prefix}loss</c> and <c>{prefix}perplexity</c> (monitor perplexity with HigherIsBetter = false).</summary>
    public Dictionary<string, double> ToMetrics(string prefix = "eval/") => new(StringComparer.Ordinal)
    {
        [prefix + "loss"] = Loss,
        [prefix + "perplexity"] = Perplexity,
    };
}
