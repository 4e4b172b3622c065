namespace PeftSharp.Lora;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Tuners;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// What LoRA layers of every base type share: per-adapter settings and the reference's children
/// <c>lora_A</c>, <c>lora_B</c>, <c>lora_dropout</c> and <c>lora_magnitude_vector</c> (each keyed by adapter name).
/// </summary>
public abstract class LoraLayer : AdapterLayer
{
#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly AdapterModuleDict<nn.Module<Tensor, Tensor>> lora_A = new();
    private readonly AdapterModuleDict<nn.Module<Tensor, Tensor>> lora_B = new();
    private readonly AdapterModuleDict<nn.Module<Tensor, Tensor>> lora_dropout = new();
    private readonly AdapterModuleDict<DoraMagnitude> lora_magnitude_vector = new();
#pragma warning restore IDE1006, SA1300
    private readonly List<string> adapterNames = [];
    private readonly Dictionary<string, LoraSettings> settings = new(StringComparer.Ordinal);

    // DoRA's norms at merge time: unmerging needs them, since recomputing from the merged weight would not give back W.
    private readonly Dictionary<string, Tensor> doraMergeNorms = new(StringComparer.Ordinal);

    /// <summary>Registers the base layer and the (empty) adapter containers.</summary>
    protected LoraLayer(string name, nn.Module<Tensor, Tensor> baseLayer)
        : base(name, baseLayer)
    {
        register_module("lora_A", lora_A);
        register_module("lora_B", lora_B);
        register_module("lora_dropout", lora_dropout);
        register_module("lora_magnitude_vector", lora_magnitude_vector);
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdapterNames => adapterNames;

    /// <summary>The first adapter's rank <c>r</c>.</summary>
    public int Rank => Settings(FirstAdapter).Rank;

    /// <summary>The first adapter's <c>lora_alpha</c>.</summary>
    public double Alpha => Settings(FirstAdapter).Alpha;

    /// <summary>The first adapter's scaling factor.</summary>
    public double Scaling => Settings(FirstAdapter).Scaling;

    /// <summary>The adapter used by the single-adapter accessors: <c>default</c> when present, else the first added.</summary>
    protected string FirstAdapter =>
        adapterNames.Contains(DefaultAdapterName) ? DefaultAdapterName
        : adapterNames.Count > 0 ? adapterNames[0]
        : throw new InvalidOperationException("The layer has no adapter.");

    /// <summary>The settings adapter <paramref name="adapterName"/> was added with.</summary>
    public LoraSettings Settings(string adapterName) =>
        settings.TryGetValue(adapterName, out var s) ? s
        : throw new ArgumentException($"No adapter named '{adapterName}'. Adapters: {string.Join(", ", adapterNames)}.", nameof(adapterName));

    /// <summary>DoRA's magnitude of adapter <paramref name="adapterName"/>, or null when the adapter is not DoRA.</summary>
    public Parameter? Magnitude(string adapterName) =>
        lora_magnitude_vector.TryGet(adapterName, out var m) ? m.Weight : null;

    /// <summary>The update <c>scaling * B A</c> of adapter <paramref name="adapterName"/>, shaped like the base weight.</summary>
    public abstract Tensor DeltaWeight(string adapterName);

    /// <summary>Adds a LoRA adapter named <paramref name="adapterName"/>; the first adapter of a layer becomes active.</summary>
    /// <exception cref="ArgumentException">The name is taken or invalid.</exception>
    /// <exception cref="NotSupportedException">The layer type does not support a requested option (for example DoRA on Embedding).</exception>
    public void AddAdapter(string adapterName, LoraSettings loraSettings)
    {
        ArgumentNullException.ThrowIfNull(loraSettings);
        CheckNewAdapterName(adapterName);
        loraSettings.Validate();
        if (IsMerged)
        {
            throw new InvalidOperationException("Adapters are merged into this layer: call Unmerge() before adding another adapter.");
        }

        // The settings are known before the modules exist: creating DoRA's magnitude reads the scaling.
        settings[adapterName] = loraSettings;
        try
        {
            CreateAdapter(adapterName, loraSettings);
        }
        catch
        {
            settings.Remove(adapterName);
            throw;
        }

        adapterNames.Add(adapterName);
        OnAdapterAdded(adapterName);
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, Parameter Parameter)> NamedAdapterParameters(string adapterName)
    {
        var result = new List<(string, Parameter)>();
        foreach (var (prefix, dict) in new[] { ("lora_A", lora_A), ("lora_B", lora_B) })
        {
            if (dict.TryGet(adapterName, out var module))
            {
                result.AddRange(module.named_parameters().Select(p => ($"{prefix}.{adapterName}.{p.name}", p.parameter)));
            }
        }

        result.AddRange(ExtraAdapterParameters(adapterName));
        if (lora_magnitude_vector.TryGet(adapterName, out var magnitude))
        {
            result.Add(($"lora_magnitude_vector.{adapterName}.weight", magnitude.Weight));
        }

        return result;
    }

    /// <summary>Adapter parameters outside <c>lora_A</c>/<c>lora_B</c>/<c>lora_magnitude_vector</c> (the embedding matrices).</summary>
    protected virtual IEnumerable<(string Name, Parameter Parameter)> ExtraAdapterParameters(string adapterName) => [];

    /// <summary>Creates the modules of a new adapter (the name and settings are already checked).</summary>
    protected abstract void CreateAdapter(string adapterName, LoraSettings loraSettings);

    /// <summary>Registers A, B and the branch dropout of adapter <paramref name="adapterName"/>.</summary>
    protected void AddLowRankModules(string adapterName, nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, double dropout)
    {
        lora_A.Add(adapterName, a);
        lora_B.Add(adapterName, b);
        AddDropout(adapterName, dropout);
    }

    /// <summary>Registers the branch dropout of adapter <paramref name="adapterName"/>.</summary>
    protected void AddDropout(string adapterName, double dropout) =>
        lora_dropout.Add(adapterName, dropout > 0 ? nn.Dropout(dropout) : nn.Identity());

    /// <summary>Registers DoRA's magnitude of adapter <paramref name="adapterName"/>.</summary>
    protected void AddMagnitude(string adapterName, Tensor magnitude) =>
        lora_magnitude_vector.Add(adapterName, new DoraMagnitude(magnitude));

    /// <summary>Adapter <paramref name="adapterName"/>'s down-projection module.</summary>
    protected nn.Module<Tensor, Tensor> ModuleA(string adapterName) => lora_A[adapterName];

    /// <summary>Adapter <paramref name="adapterName"/>'s up-projection module.</summary>
    protected nn.Module<Tensor, Tensor> ModuleB(string adapterName) => lora_B[adapterName];

    /// <summary>Adapter <paramref name="adapterName"/>'s branch dropout.</summary>
    protected nn.Module<Tensor, Tensor> BranchDropout(string adapterName) => lora_dropout[adapterName];

    /// <summary>The dropout of the branch is a no-op now (no dropout, or evaluation mode).</summary>
    protected bool DropoutInactive(string adapterName) => lora_dropout[adapterName] is Identity || !training;

    /// <inheritdoc />
    protected override void RemoveAdapter(string adapterName)
    {
        lora_A.Remove(adapterName)?.Dispose();
        lora_B.Remove(adapterName)?.Dispose();
        lora_dropout.Remove(adapterName)?.Dispose();
        lora_magnitude_vector.Remove(adapterName)?.Dispose();
        if (doraMergeNorms.Remove(adapterName, out var norm))
        {
            norm.Dispose();
        }

        RemoveExtra(adapterName);
        settings.Remove(adapterName);
        adapterNames.Remove(adapterName);
    }

    /// <summary>DoRA: the norm of each output row of <paramref name="weight"/>, shaped like the magnitude vector.</summary>
    /// <exception cref="NotSupportedException">The layer type has no DoRA.</exception>
    protected virtual Tensor DoraNorm(Tensor weight) => throw new NotSupportedException($"{GetType().Name} does not support DoRA.");

    /// <summary>DoRA: <paramref name="rowFactor"/> (shaped like the magnitude vector) reshaped to scale the weight's output rows.</summary>
    /// <exception cref="NotSupportedException">The layer type has no DoRA.</exception>
    protected virtual Tensor DoraWeightFactor(Tensor rowFactor) => throw new NotSupportedException($"{GetType().Name} does not support DoRA.");

    /// <summary>
    /// Merges adapter <paramref name="adapterName"/> into <paramref name="weight"/>: <c>W += dW</c>, or with DoRA
    /// <c>W = m / ||W + dW|| * (W + dW)</c> per output row.
    /// </summary>
    protected void MergeIntoWeight(Tensor weight, string adapterName)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        var delta = DeltaWeight(adapterName);
        var magnitude = Magnitude(adapterName);
        if (magnitude is null)
        {
            weight.add_(delta);
            return;
        }

        var combined = weight.add(delta);
        var norm = DoraNorm(combined).detach();
        weight.copy_(combined.mul(DoraWeightFactor(magnitude.detach().div(norm))));
        doraMergeNorms[adapterName] = norm.DetachFromDisposeScope();
    }

    /// <summary>Reverses <see cref="MergeIntoWeight"/> for adapter <paramref name="adapterName"/>.</summary>
    protected void UnmergeFromWeight(Tensor weight, string adapterName)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        var delta = DeltaWeight(adapterName);
        var magnitude = Magnitude(adapterName);
        if (magnitude is null)
        {
            weight.sub_(delta);
            return;
        }

        doraMergeNorms.Remove(adapterName, out var norm);
        using (norm)
        {
            weight.copy_(weight.div(DoraWeightFactor(magnitude.detach().div(norm!))).sub(delta));
        }
    }

    /// <summary>Unregisters adapter parameters outside the shared containers.</summary>
    protected virtual void RemoveExtra(string adapterName)
    {
    }

    /// <summary>A new parameter holding <paramref name="data"/>, owned by the module and not by any dispose scope.</summary>
    protected static Parameter NewParameter(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var parameter = new Parameter(data, requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }
}
