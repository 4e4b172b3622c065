namespace PeftSharp.IA3;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Tuners;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A frozen <see cref="Linear"/> whose activations a learned vector <c>ia3_l.&lt;adapter&gt;</c> scales, as the reference IA3:
/// for attention-style targets the output (<c>base(x) * l</c>, l shaped out x 1), for feed-forward targets the input
/// (<c>base(x * l)</c>, l shaped 1 x in). l starts at one, so a fresh adapter changes nothing. Several active adapters
/// multiply their vectors.
/// </summary>
public sealed class IA3Linear : AdapterLayer
{
#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly AdapterParameterDict ia3_l = new();
#pragma warning restore IDE1006, SA1300
    private readonly List<string> adapterNames = [];

    /// <summary>Wraps <paramref name="baseLayer"/> with one IA3 adapter named <paramref name="adapterName"/>.</summary>
    /// <param name="baseLayer">The layer to adapt; its parameters are frozen.</param>
    /// <param name="feedForward">Scale the input (feed-forward layers) instead of the output.</param>
    /// <param name="adapterName">The adapter's name.</param>
    public IA3Linear(Linear baseLayer, bool feedForward, string adapterName = DefaultAdapterName)
        : base(nameof(IA3Linear), baseLayer)
    {
        _ = baseLayer.weight ?? throw new ArgumentException("The base Linear has no weight.", nameof(baseLayer));
        IsFeedForward = feedForward;
        register_module("ia3_l", ia3_l);
        AddAdapter(adapterName);
        RegisterComponents();
    }

    /// <summary>The wrapped, frozen layer.</summary>
    public Linear BaseLayer => (Linear)BaseModule;

    /// <summary>Whether IA3 scales this layer's input (feed-forward) rather than its output.</summary>
    public bool IsFeedForward { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdapterNames => adapterNames;

    /// <summary>Adapter <paramref name="adapterName"/>'s scaling vector (out x 1, or 1 x in for feed-forward layers).</summary>
    public Parameter Vector(string adapterName) => ia3_l[adapterName];

    /// <summary>Adds an IA3 adapter named <paramref name="adapterName"/>, initialised to ones.</summary>
    public void AddAdapter(string adapterName)
    {
        CheckNewAdapterName(adapterName);
        if (IsMerged)
        {
            throw new InvalidOperationException("Adapters are merged into this layer: call Unmerge() before adding another adapter.");
        }

        var weight = BaseLayer.weight!;
        using var scope = NewDisposeScope();
        var shape = IsFeedForward ? new[] { 1L, weight.shape[1] } : [weight.shape[0], 1L];
        var parameter = new Parameter(ones(shape, dtype: weight.dtype, device: weight.device), requires_grad: true);
        parameter.DetachFromDisposeScope();
        ia3_l.Add(adapterName, parameter);
        adapterNames.Add(adapterName);
        OnAdapterAdded(adapterName);
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, Parameter Parameter)> NamedAdapterParameters(string adapterName) =>
        ia3_l.ContainsKey(adapterName) ? [($"ia3_l.{adapterName}", ia3_l[adapterName])] : [];

    /// <inheritdoc />
    protected override Tensor ForwardWithAdapters(Tensor input, IReadOnlyList<string> adapterNames)
    {
        var scaling = adapterNames.Select(name => ia3_l[name].flatten()).Aggregate((x, y) => x.mul(y));
        // As the reference: a float32 vector on a bfloat16 base scales in float32; the base runs in its own dtype.
        return IsFeedForward
            ? BaseForward(input.mul(scaling))
            : BaseForward(input).mul(scaling);
    }

    /// <inheritdoc />
    protected override void MergeAdapter(string adapterName)
    {
        var vector = ia3_l[adapterName].detach();

        // (out, in) * (out, 1) scales rows; (out, in) * (1, in) scales columns. The output scale also scales the bias.
        BaseLayer.weight!.mul_(vector);
        if (!IsFeedForward && BaseLayer.bias is { } bias)
        {
            bias.mul_(vector.flatten());
        }
    }

    /// <inheritdoc />
    protected override void UnmergeAdapter(string adapterName)
    {
        var vector = ia3_l[adapterName].detach();
        BaseLayer.weight!.div_(vector);
        if (!IsFeedForward && BaseLayer.bias is { } bias)
        {
            bias.div_(vector.flatten());
        }
    }

    /// <inheritdoc />
    protected override void RemoveAdapter(string adapterName)
    {
        ia3_l.Remove(adapterName)?.Dispose();
        adapterNames.Remove(adapterName);
    }
}
