namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>intermediate</c>: <c>gelu(dense(x))</c> with the exact (erf) GELU. <c>dense</c> is typed
/// <see cref="nn.Module{T, TResult}"/> so adapters can wrap it.
/// </summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    // Not readonly: adapter wiring replaces this layer with a wrapper.
    private nn.Module<Tensor, Tensor> dense;

    /// <summary>Creates the feed-forward expansion of the shape <paramref name="config"/> describes.</summary>
    public BertIntermediate(BertConfig config)
        : base(nameof(BertIntermediate))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>The projection (possibly an adapter wrapper).</summary>
    public nn.Module<Tensor, Tensor> Dense => dense;

    /// <summary>Expands <c>[..., hidden]</c> to <c>[..., intermediate]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.gelu(dense.call(input)).MoveToOuterDisposeScope();
    }
}
