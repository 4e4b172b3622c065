namespace SentimentLora.Training;

using System;
using static TorchSharp.torch;

/// <summary>One batch of tokenized reviews, padded to its longest review.</summary>
/// <param name="InputIds">Token ids, int64 <c>[batch, seq]</c>.</param>
/// <param name="AttentionMask">1 for tokens, 0 for padding, int64 <c>[batch, seq]</c>.</param>
/// <param name="Labels">Class per review, int64 <c>[batch]</c>.</param>
public sealed record ReviewBatch(Tensor InputIds, Tensor AttentionMask, Tensor Labels) : IDisposable
{
    /// <summary>Reviews in the batch.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>Positions in the batch, padding included.</summary>
    public long Tokens => InputIds.numel();

    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels.Dispose();
    }
}
