namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary><c>pooler</c>: <c>tanh(dense(h[:, 0]))</c>, the first token's state projected (BERT's pooled output).</summary>
public sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    /// <summary>The projection (<c>dense</c>), possibly an adapter wrapper.</summary>
#pragma warning disable CA1051 // public (and not readonly) so generated adapter wiring in another assembly can replace it
    public nn.Module<Tensor, Tensor> dense;
#pragma warning restore CA1051

    /// <summary>Creates the pooler of the shape <paramref name="config"/> describes.</summary>
    public BertPooler(BertConfig config)
        : base(nameof(BertPooler))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = nn.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Pools <c>[batch, seq, hidden]</c> into <c>[batch, hidden]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        return tanh(dense.call(input[.., 0])).MoveToOuterDisposeScope();
    }
}
