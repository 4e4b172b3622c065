namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary><c>attention</c>: self-attention (<c>self</c>) followed by its output projection (<c>output</c>).</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    // Public so that adapter wiring generated in another assembly (PeftSharp's [LoraTargets]) can reach and replace
    // the layers; the names are the checkpoint keys.
#pragma warning disable IDE1006, SA1300, CA1051
    /// <summary>The self-attention (<c>self</c>).</summary>
    public readonly BertSelfAttention self;

    /// <summary>The output projection (<c>output</c>).</summary>
    public readonly BertSelfOutput output;
#pragma warning restore IDE1006, SA1300, CA1051

    /// <summary>Creates the attention block of the shape <paramref name="config"/> describes.</summary>
    public BertAttention(BertConfig config)
        : base(nameof(BertAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        self = new BertSelfAttention(config);
        output = new BertSelfOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Attention with residual and LayerNorm.</summary>
    /// <param name="hidden">Input states <c>[batch, seq, hidden]</c>.</param>
    /// <param name="keyMask">Boolean <c>[batch, 1, 1, seq]</c> key mask, or null.</param>
    public override Tensor forward(Tensor hidden, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        return output.call(self.call(hidden, keyMask), hidden).MoveToOuterDisposeScope();
    }
}
