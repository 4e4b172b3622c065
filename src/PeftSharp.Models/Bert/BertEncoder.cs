namespace PeftSharp.Models.Bert;

using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary><c>encoder</c>: the stack of transformer layers <c>encoder.layer.0</c> ... <c>encoder.layer.{L-1}</c>.</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor?, Tensor>
{
    // Public so that adapter wiring generated in another assembly (PeftSharp's [LoraTargets]) can reach and replace
    // the layers; the names are the checkpoint keys.
#pragma warning disable IDE1006, SA1300, CA1051
    /// <summary>The layers (<c>layer.N</c>).</summary>
    public readonly ModuleList<BertLayer> layer;
#pragma warning restore IDE1006, SA1300, CA1051

    /// <summary>Creates the layer stack of the shape <paramref name="config"/> describes.</summary>
    public BertEncoder(BertConfig config)
        : base(nameof(BertEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        layer = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<BertLayer> Layers => new ReadOnlyCollection<BertLayer>(layer);

    /// <summary>Runs every layer over <c>[batch, seq, hidden]</c>.</summary>
    /// <param name="hidden">Embedded input.</param>
    /// <param name="keyMask">Boolean <c>[batch, 1, 1, seq]</c> key mask, or null.</param>
    public override Tensor forward(Tensor hidden, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        var x = hidden;
        foreach (var block in layer)
        {
            x = block.call(x, keyMask);
        }

        return x.MoveToOuterDisposeScope();
    }
}
