namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary><c>encoder.layer.N</c>: attention, then the feed-forward block (post-LayerNorm, as in BERT).</summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor?, Tensor>
{
    // Public so that adapter wiring generated in another assembly (PeftSharp's [LoraTargets]) can reach and replace
    // the layers; the names are the checkpoint keys.
#pragma warning disable IDE1006, SA1300, CA1051
    /// <summary>The attention block (<c>attention</c>).</summary>
    public readonly BertAttention attention;

    /// <summary>The feed-forward expansion (<c>intermediate</c>).</summary>
    public readonly BertIntermediate intermediate;

    /// <summary>The feed-forward output (<c>output</c>).</summary>
    public readonly BertSelfOutput output;
#pragma warning restore IDE1006, SA1300, CA1051

    /// <summary>Creates one transformer layer of the shape <paramref name="config"/> describes.</summary>
    public BertLayer(BertConfig config)
        : base(nameof(BertLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertSelfOutput(config, config.IntermediateSize);
        RegisterComponents();
    }

    /// <summary>Transforms <c>[batch, seq, hidden]</c>.</summary>
    /// <param name="hidden">Input states.</param>
    /// <param name="keyMask">Boolean <c>[batch, 1, 1, seq]</c> key mask, or null.</param>
    public override Tensor forward(Tensor hidden, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.call(hidden, keyMask);
        return output.call(intermediate.call(attended), attended).MoveToOuterDisposeScope();
    }
}
