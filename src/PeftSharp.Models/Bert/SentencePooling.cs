namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Sentence embeddings from token states, as sentence-transformers computes them.</summary>
public static class SentencePooling
{
    /// <summary>
    /// Mean of <paramref name="lastHiddenState"/> <c>[batch, seq, hidden]</c> over the positions where
    /// <paramref name="attentionMask"/> <c>[batch, seq]</c> is non-zero; <c>[batch, hidden]</c>.
    /// </summary>
    public static Tensor MeanPool(Tensor lastHiddenState, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(lastHiddenState);
        ArgumentNullException.ThrowIfNull(attentionMask);
        using var scope = NewDisposeScope();
        var weights = attentionMask.to_type(ScalarType.Bool).to_type(lastHiddenState.dtype).unsqueeze(-1);
        var summed = (lastHiddenState * weights).sum(1);

        // sentence-transformers clamps the count at 1e-9 so an all-padding row gives zeros, not NaN.
        using var smallestCount = 1e-9.ToScalar();
        var counts = weights.sum(1).clamp_min(smallestCount);
        return (summed / counts).MoveToOuterDisposeScope();
    }

    /// <summary>Scales each row of <paramref name="embeddings"/> to unit L2 norm (rows of norm below 1e-12 are kept finite).</summary>
    public static Tensor L2Normalize(Tensor embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return nn.functional.normalize(embeddings, p: 2.0, dim: -1, eps: 1e-12);
    }

    /// <summary>Mean pooling then L2 normalisation: all-MiniLM-L6-v2's sentence embedding.</summary>
    public static Tensor MeanPoolNormalized(Tensor lastHiddenState, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return L2Normalize(MeanPool(lastHiddenState, attentionMask)).MoveToOuterDisposeScope();
    }
}
