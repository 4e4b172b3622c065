namespace PeftSharp.Training.Metrics;

using System;
using static TorchSharp.torch;

/// <summary>
/// Token-level loss of a language-modelling head: cross-entropy over every labelled token, padding and prompt tokens
/// excluded by <see cref="IgnoreIndex"/> (Hugging Face's convention), optionally shifted for causal models.
/// </summary>
public static class LanguageModeling
{
    /// <summary>The label of tokens that do not count (padding, prompt): -100, as in PyTorch and Hugging Face.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>
    /// Mean cross-entropy per labelled token. <paramref name="logits"/> is [batch, tokens, vocabulary] and
    /// <paramref name="labels"/> [batch, tokens]; with <paramref name="causal"/>, position t predicts token t + 1
    /// (the last logit and the first label are dropped), as a causal language model is trained.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static Tensor TokenLoss(Tensor logits, Tensor labels, bool causal = false)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        CheckShapes(logits, labels);
        using var scope = NewDisposeScope();
        var (flatLogits, flatLabels) = Flatten(logits, labels, causal);
        return nn.functional.cross_entropy(flatLogits, flatLabels, ignore_index: IgnoreIndex).MoveToOuterDisposeScope();
    }

    internal static (Tensor Logits, Tensor Labels) Flatten(Tensor logits, Tensor labels, bool causal)
    {
        var vocabulary = logits.shape[2];
        if (causal)
        {
            var tokens = logits.shape[1];
            logits = logits.narrow(1, 0, tokens - 1);
            labels = labels.narrow(1, 1, tokens - 1);
        }

        return (logits.reshape(-1, vocabulary), labels.reshape(-1));
    }

    internal static void CheckShapes(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 3 || labels.dim() != 2 || logits.shape[0] != labels.shape[0] || logits.shape[1] != labels.shape[1])
        {
            throw new ArgumentException(
                $"Language-modelling logits must be [batch, tokens, vocabulary] and labels [batch, tokens] with the same batch and tokens; got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", labels.shape)}].");
        }
    }
}
