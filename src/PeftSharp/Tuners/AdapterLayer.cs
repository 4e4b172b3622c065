namespace PeftSharp.Tuners;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Precision;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A frozen base layer plus any number of named adapters, as the reference PEFT's tuner layers: the adapters in
/// <see cref="ActiveAdapters"/> contribute to the output, merged adapters live in the base weight, and disabled
/// adapters leave the base output. The base layer is registered as <c>base_layer</c>.
/// </summary>
public abstract class AdapterLayer : nn.Module<Tensor, Tensor>, IAdapterLayer
{
    /// <summary>The reference's name for the first adapter of a model.</summary>
    public const string DefaultAdapterName = "default";

#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly nn.Module<Tensor, Tensor> base_layer;
#pragma warning restore IDE1006, SA1300
    private readonly List<string> activeAdapters = [];
    private readonly List<string> mergedAdapters = [];

    /// <summary>Registers <paramref name="baseLayer"/> as <c>base_layer</c> and freezes its parameters.</summary>
    protected AdapterLayer(string name, nn.Module<Tensor, Tensor> baseLayer)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(baseLayer);
        if (baseLayer is AdapterLayer)
        {
            throw new ArgumentException("The layer already carries adapters: add another adapter to it instead of wrapping it again.", nameof(baseLayer));
        }

        base_layer = baseLayer;

        // Registered first, so the state dict lists the base weights before the adapters, as the reference does.
        register_module("base_layer", baseLayer);
        foreach (var parameter in baseLayer.parameters())
        {
            parameter.requires_grad = false;
        }
    }

    /// <summary>The wrapped, frozen layer.</summary>
    public nn.Module<Tensor, Tensor> BaseModule => base_layer;

    /// <summary>The names of the adapters this layer holds, in the order they were added.</summary>
    public abstract IReadOnlyList<string> AdapterNames { get; }

    /// <summary>The adapters that contribute to the output (when not merged or disabled).</summary>
    public IReadOnlyList<string> ActiveAdapters => activeAdapters;

    /// <summary>The adapters merged into the base weight, in merge order.</summary>
    public IReadOnlyList<string> MergedAdapters => mergedAdapters;

    /// <summary>Whether any adapter is merged into the base weight.</summary>
    public bool IsMerged => mergedAdapters.Count > 0;

    /// <summary>Whether adapters are disabled, so the layer computes its base output.</summary>
    public bool AdaptersDisabled { get; private set; }

    /// <summary>Makes exactly <paramref name="adapterNames"/> the active adapters (their contributions add up).</summary>
    /// <exception cref="ArgumentException">A name is not an adapter of this layer.</exception>
    public void SetActiveAdapters(IEnumerable<string> adapterNames)
    {
        ArgumentNullException.ThrowIfNull(adapterNames);
        var names = adapterNames.Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            RequireAdapter(name);
        }

        activeAdapters.Clear();
        activeAdapters.AddRange(names);
    }

    /// <summary>Disables (true) or re-enables (false) every adapter; disabling unmerges merged adapters first.</summary>
    public void SetAdaptersDisabled(bool disabled)
    {
        if (disabled && IsMerged)
        {
            // The reference unmerges on disable so the base weight is the original again.
            Unmerge();
        }

        AdaptersDisabled = disabled;
    }

    /// <summary>
    /// Adds the adapter updates of <paramref name="adapterNames"/> (default: the active adapters) to the base weight;
    /// afterwards the layer runs only its base path. Already merged adapters are skipped.
    /// </summary>
    public void Merge(IEnumerable<string>? adapterNames = null)
    {
        var names = (adapterNames ?? activeAdapters).ToList();
        foreach (var name in names)
        {
            RequireAdapter(name);
            if (mergedAdapters.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            using (no_grad())
            {
                MergeAdapter(name);
            }

            mergedAdapters.Add(name);
        }
    }

    /// <summary>Subtracts every merged adapter's update from the base weight, last merged first.</summary>
    public void Unmerge()
    {
        while (mergedAdapters.Count > 0)
        {
            var name = mergedAdapters[^1];
            using (no_grad())
            {
                UnmergeAdapter(name);
            }

            mergedAdapters.RemoveAt(mergedAdapters.Count - 1);
        }
    }

    /// <summary>Removes the adapter <paramref name="adapterName"/> and its parameters.</summary>
    /// <exception cref="InvalidOperationException">The adapter is merged: unmerge first.</exception>
    public void DeleteAdapter(string adapterName)
    {
        RequireAdapter(adapterName);
        if (mergedAdapters.Contains(adapterName, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"Adapter '{adapterName}' is merged into the base weight: call Unmerge() before deleting it.");
        }

        RemoveAdapter(adapterName);
        activeAdapters.Remove(adapterName);
    }

    /// <summary>The parameters of adapter <paramref name="adapterName"/>, named relative to this layer (for example <c>lora_A.default.weight</c>).</summary>
    public abstract IEnumerable<(string Name, Parameter Parameter)> NamedAdapterParameters(string adapterName);

    /// <inheritdoc />
    public IEnumerable<Parameter> AdapterParameters() =>
        AdapterNames.SelectMany(name => NamedAdapterParameters(name).Select(p => p.Parameter)).ToList();

    /// <summary>
    /// Merges the active adapters when <paramref name="merge"/> is true, and returns the base layer, detached from this
    /// wrapper, to take its place in the model.
    /// </summary>
    public nn.Module<Tensor, Tensor> Unload(bool merge)
    {
        if (merge)
        {
            Merge();
        }

        return base_layer;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var adapters = AdaptersDisabled || IsMerged ? [] : activeAdapters.Where(AdapterNames.Contains).ToList();
        if (adapters.Count == 0)
        {
            return BaseForward(input).MoveToOuterDisposeScope();
        }

        // As the reference: adapters may compute in another dtype than the base (float32 adapters on a bfloat16 base,
        // see Precision.FrozenBaseCast); the layer's output keeps the base layer's dtype.
        var result = FrozenBaseCast.CastFloating(ForwardWithAdapters(input, adapters), BaseDtype);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The dtype of the base layer's floating-point weights (null when it has none).</summary>
    protected ScalarType? BaseDtype => base_layer.parameters().FirstOrDefault(p => p.is_floating_point())?.dtype;

    /// <summary>The base layer's output for <paramref name="input"/>, cast first to the base weights' dtype when it differs.</summary>
    protected Tensor BaseForward(Tensor input) => base_layer.call(FrozenBaseCast.CastFloating(input, BaseDtype));

    /// <summary>The output with <paramref name="adapterNames"/> (not merged, at least one) applied.</summary>
    protected abstract Tensor ForwardWithAdapters(Tensor input, IReadOnlyList<string> adapterNames);

    /// <summary>Adds adapter <paramref name="adapterName"/>'s update to the base weight (called without grad).</summary>
    protected abstract void MergeAdapter(string adapterName);

    /// <summary>Subtracts adapter <paramref name="adapterName"/>'s update from the base weight (called without grad).</summary>
    protected abstract void UnmergeAdapter(string adapterName);

    /// <summary>Unregisters adapter <paramref name="adapterName"/>'s modules and parameters.</summary>
    protected abstract void RemoveAdapter(string adapterName);

    /// <summary>Marks <paramref name="adapterName"/> active after it was added (the first adapter of a layer is active).</summary>
    protected void OnAdapterAdded(string adapterName)
    {
        if (activeAdapters.Count == 0)
        {
            activeAdapters.Add(adapterName);
        }
    }

    /// <summary>Checks an adapter name for a new adapter.</summary>
    protected void CheckNewAdapterName(string adapterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adapterName);
        if (adapterName.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Adapter name '{adapterName}' contains '.', which would break state-dict keys: choose a name without dots.", nameof(adapterName));
        }

        if (AdapterNames.Contains(adapterName))
        {
            throw new ArgumentException($"The layer already has an adapter named '{adapterName}': delete it first or choose another name.", nameof(adapterName));
        }
    }

    private void RequireAdapter(string adapterName)
    {
        if (!AdapterNames.Contains(adapterName))
        {
            throw new ArgumentException($"No adapter named '{adapterName}'. Adapters: {string.Join(", ", AdapterNames)}.", nameof(adapterName));
        }
    }
}
