namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary><c>attention</c>: self-attention (<c>self</c>) followed by its output projection (<c>output</c>).</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor?, Tensor>
{
#pragma warning disable IDE1006, SA1300 // names are checkpoint keys
    private readonly BertSelfAttention self;
    private readonly BertSelfOutput output;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the attention block of the shape <paramref name="config"/> describes.</summary>
    public BertAttention(BertConfig config)
        : base(nameof(BertAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        self = new BertSelfAttention(config);
        output = new BertSelfOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>The self-attention (<c>attention.self</c>).</summary>
    public BertSelfAttention Self => self;

    /// <summary>The output projection (<c>attention.output</c>).</summary>
    public BertSelfOutput Output => output;

    /// <summary>Attention with residual and LayerNorm.</summary>
    /// <param name="hidden">Input states <c>[batch, seq, hidden]</c>.</param>
    /// <param name="keyMask">Boolean <c>[batch, 1, 1, seq]</c> key mask, or null.</param>
    public override Tensor forward(Tensor hidden, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        return output.call(self.call(hidden, keyMask), hidden).MoveToOuterDisposeScope();
    }
}
