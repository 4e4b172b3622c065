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
    /// <summary>The projection (<c>dense</c>), possibly an adapter wrapper.</summary>
#pragma warning disable CA1051 // public (and not readonly) so generated adapter wiring in another assembly can replace it
    public nn.Module<Tensor, Tensor> dense;
#pragma warning restore CA1051

    /// <summary>Creates the feed-forward expansion of the shape <paramref name="config"/> describes.</summary>
    public BertIntermediate(BertConfig config)
        : base(nameof(BertIntermediate))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>Expands <c>[..., hidden]</c> to <c>[..., intermediate]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.gelu(dense.call(input)).MoveToOuterDisposeScope();
    }
}
