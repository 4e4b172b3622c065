namespace PeftSharp.Training.Engine;

using System;
using static TorchSharp.torch;

/// <summary>A batch of tabular rows: features [batch, features] and labels [batch].</summary>
/// <param name="Features">Float32 features.</param>
/// <param name="Labels">Int64 class labels.</param>
public sealed record TabularBatch(Tensor Features, Tensor Labels) : IDisposable, IBatchSize
{
    /// <inheritdoc />
    public int Samples => (int)Labels.shape[0];

    /// <inheritdoc />
    public long Tokens => 0;

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
