namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PeftSharp.IA3;
using PeftSharp.Lora;
using PeftSharp.Serialization;
using PeftSharp.Tuners;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Adapters on a model whose source you need not own, the way the reference's <c>PeftModel</c> works: modules are
/// targeted by name at run time and replaced in place by adapter layers (the model object stays the same and its
/// <c>forward</c> runs the adapters), several named adapters can live on one model, and adapters are saved and loaded
/// in the reference's format (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>).
/// </summary>
public sealed partial class PeftModel
{
    /// <summary>The prefix of every key in the reference's adapter files.</summary>
    public const string KeyPrefix = "base_model.model.";

    private readonly Dictionary<string, PeftConfig> configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> modulesToSave = new(StringComparer.Ordinal);
    private readonly List<string> activeAdapters = [];

    private PeftModel(nn.Module model)
    {
        Model = model;
    }

    /// <summary>The adapted model (the same object that was passed in, with adapter layers in place).</summary>
    public nn.Module Model { get; }

    /// <summary>The adapters' configurations by name (for all-linear, with the targets it resolved to).</summary>
    public IReadOnlyDictionary<string, PeftConfig> Configs => configs;

    /// <summary>The adapters that contribute to the output; their contributions add up (IA3: multiply).</summary>
    public IReadOnlyList<string> ActiveAdapters => activeAdapters;

    /// <summary>Whether <see cref="DisableAdapters"/> is in effect.</summary>
    public bool AdaptersDisabled { get; private set; }

    /// <summary>Every adapter layer in the model with its dotted path.</summary>
    public IEnumerable<(string Path, AdapterLayer Layer)> AdapterLayers =>
        ModuleTree.Walk(Model).Where(m => m.Module is AdapterLayer).Select(m => (m.Path, (AdapterLayer)m.Module)).ToList();

    /// <summary>
    /// Adds the adapter <paramref name="adapterName"/> described by <paramref name="config"/> to <paramref name="model"/> and makes it
    /// the active, trainable adapter; everything else is frozen (except biases per <see cref="LoraConfig.Bias"/> and
    /// <see cref="PeftConfig.ModulesToSave"/>). Layers the model already wraps with an adapter of that name (for example
    /// through the generated <c>ApplyAdapters()</c>) are kept as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A target or module to save matches nothing (the message lists the closest module names), or matches an unsupported module.</exception>
    public static PeftModel Create(nn.Module model, PeftConfig config, string adapterName = AdapterLayer.DefaultAdapterName)
    {
        ArgumentNullException.ThrowIfNull(model);
        var peft = new PeftModel(model);
        peft.AddAdapter(adapterName, config);
        peft.SetActiveAdapters(adapterName);
        return peft;
    }

    /// <summary>
    /// Adds another adapter. It does not become active (call <see cref="SetActiveAdapters"/>); until then it neither
    /// changes the output nor trains.
    /// </summary>
    /// <exception cref="ArgumentException">The name is taken, a target matches nothing or an unsupported module.</exception>
    public void AddAdapter(string adapterName, PeftConfig config)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(adapterName);
        ArgumentNullException.ThrowIfNull(config);
        if (configs.ContainsKey(adapterName))
        {
            throw new ArgumentException($"The model already has an adapter named '{adapterName}': delete it first or choose another name.", nameof(adapterName));
        }

        if (adapterName.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Adapter name '{adapterName}' contains '.', which would break state-dict keys.", nameof(adapterName));
        }

        var modules = ModuleTree.Walk(Model).ToList();
        var saved = ResolveModulesToSave(config.ModulesToSave, modules);
        var targets = ResolveTargets(config, modules, saved);
        try
        {
            foreach (var (path, module) in targets)
            {
                Inject(adapterName, config, path, module);
            }
        }
        catch
        {
            // A target that cannot be adapted leaves the model as it was, not half-wrapped.
            RemoveFromLayers(adapterName);
            ApplyActive();
            throw;
        }

        if (config.TargetModules is { IsAllLinear: true })
        {
            // As the reference, the saved configuration names what all-linear resolved to.
            config = config with { TargetModules = TargetModules.Of([.. targets.Select(t => t.Path).Order(StringComparer.Ordinal)]) };
        }

        configs[adapterName] = config;
        modulesToSave[adapterName] = saved;
        ApplyActive();
        ApplyTrainability();
    }

    /// <summary>Makes exactly <paramref name="adapterNames"/> active (and trainable, unless in inference mode).</summary>
    /// <exception cref="ArgumentException">A name is not an adapter of the model.</exception>
    public void SetActiveAdapters(params string[] adapterNames)
    {
        ArgumentNullException.ThrowIfNull(adapterNames);
        foreach (var name in adapterNames)
        {
            RequireAdapter(name);
        }

        activeAdapters.Clear();
        activeAdapters.AddRange(adapterNames.Distinct(StringComparer.Ordinal));
        ApplyActive();
        ApplyTrainability();
    }

    /// <summary>Deletes adapter <paramref name="adapterName"/>; layers left without adapters become their plain base layers again.</summary>
    /// <exception cref="InvalidOperationException">The adapter is merged: unmerge first.</exception>
    public void DeleteAdapter(string adapterName)
    {
        RequireAdapter(adapterName);
        RemoveFromLayers(adapterName);
        configs.Remove(adapterName);
        modulesToSave.Remove(adapterName);
        activeAdapters.Remove(adapterName);
        ApplyActive();
        ApplyTrainability();
    }

    /// <summary>Makes every adapter layer compute its base output (merged adapters are unmerged first).</summary>
    public void DisableAdapters() => SetDisabled(true);

    /// <summary>Re-enables the adapters after <see cref="DisableAdapters"/>.</summary>
    public void EnableAdapters() => SetDisabled(false);

    /// <summary>Disables the adapters until the returned scope is disposed (the reference's <c>disable_adapter()</c> context).</summary>
    public IDisposable DisabledAdapters()
    {
        DisableAdapters();
        return new EnableOnDispose(this);
    }

    /// <summary>Adds the updates of <paramref name="adapterNames"/> (default: the active adapters) to the base weights.</summary>
    public void Merge(IEnumerable<string>? adapterNames = null)
    {
        var names = (adapterNames ?? activeAdapters).ToList();
        foreach (var name in names)
        {
            RequireAdapter(name);
        }

        foreach (var (_, layer) in AdapterLayers)
        {
            layer.Merge(names.Where(layer.AdapterNames.Contains));
        }
    }

    /// <summary>Subtracts every merged update from the base weights, restoring them.</summary>
    public void Unmerge()
    {
        foreach (var (_, layer) in AdapterLayers)
        {
            layer.Unmerge();
        }
    }

    /// <summary>
    /// Merges the active adapters (or <paramref name="adapterNames"/>) into the base weights and puts the plain base layers
    /// back in place of the adapter layers: the model no longer contains adapter modules. Returns the model.
    /// </summary>
    public nn.Module MergeAndUnload(IEnumerable<string>? adapterNames = null)
    {
        EnableAdapters();
        Merge(adapterNames);
        return Unload();
    }

    /// <summary>Puts the base layers back without merging (unmerged adapters are dropped). Returns the model.</summary>
    public nn.Module Unload()
    {
        foreach (var (path, layer) in AdapterLayers)
        {
            ModuleTree.Replace(Model, path, layer.BaseModule);
        }

        configs.Clear();
        modulesToSave.Clear();
        activeAdapters.Clear();
        return Model;
    }

    /// <summary>Trainable and total parameters, in total and per module.</summary>
    public TrainableParameterReport ParameterReport() => TrainableParameterReport.Of(Model);

    /// <summary>The parameters that train (give only these to the optimizer).</summary>
    public IReadOnlyList<Parameter> TrainableParameters() => Model.parameters().Where(p => p.requires_grad).ToList();

    /// <summary>The dotted paths of the modules kept trainable and saved whole with adapter <paramref name="adapterName"/>.</summary>
    public IReadOnlyList<string> ModulesToSaveOf(string adapterName)
    {
        RequireAdapter(adapterName);
        return modulesToSave[adapterName];
    }

    /// <summary>
    /// The tensors saved for adapter <paramref name="adapterName"/>, under the reference's file keys
    /// (<c>base_model.model.&lt;path&gt;.lora_A.weight</c>, ...): the live model tensors, not copies.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> AdapterStateDict(string adapterName)
    {
        RequireAdapter(adapterName);
        var config = configs[adapterName];
        var bias = (config as LoraConfig)?.Bias ?? BiasMode.None;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, layer) in AdapterLayers)
        {
            if (!layer.AdapterNames.Contains(adapterName))
            {
                continue;
            }

            foreach (var (name, parameter) in layer.NamedAdapterParameters(adapterName))
            {
                result[$"{KeyPrefix}{path}.{FileName(name, adapterName)}"] = parameter;
            }

            if (bias == BiasMode.LoraOnly && layer.BaseModule.named_parameters(recurse: false).FirstOrDefault(p => p.name == "bias").parameter is { } layerBias)
            {
                result[$"{KeyPrefix}{path}.base_layer.bias"] = layerBias;
            }
        }

        if (bias == BiasMode.All)
        {
            foreach (var (name, parameter) in Model.named_parameters().Where(p => IsBias(p.name)))
            {
                result[KeyPrefix + name] = parameter;
            }
        }

        foreach (var path in modulesToSave[adapterName])
        {
            foreach (var (name, tensor) in ModuleTree.Find(Model, path)!.state_dict())
            {
                result[$"{KeyPrefix}{path}.{name}"] = tensor;
            }
        }

        return result;
    }

    // In memory "<container>.<adapter>[.<rest>]"; on disk the adapter name is dropped, and DoRA's magnitude loses ".weight".
    private static string FileName(string inMemory, string adapterName)
    {
        var parts = inMemory.Split('.').ToList();
        if (parts.Count > 1 && parts[1] == adapterName)
        {
            parts.RemoveAt(1);
        }

        if (parts[0] == "lora_magnitude_vector" && parts.Count == 2 && parts[1] == "weight")
        {
            parts.RemoveAt(1);
        }

        return string.Join('.', parts);
    }

    private static bool IsBias(string name) => name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal);

    private static List<string> ResolveModulesToSave(IReadOnlyList<string> names, List<(string Path, nn.Module Module)> modules)
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            var matches = modules.Where(m => TargetModules.MatchesName(m.Path, name)).Select(m => m.Path).ToList();
            if (matches.Count == 0)
            {
                throw new ArgumentException(
                    $"modules_to_save entry '{name}' matches no module. Closest module names: {Closest(name, modules)}.");
            }

            result.AddRange(matches.Where(m => !result.Contains(m)));
        }

        return result;
    }

    private static List<(string Path, nn.Module Module)> ResolveTargets(
        PeftConfig config, List<(string Path, nn.Module Module)> modules, IReadOnlyList<string> saved)
    {
        var targets = config.TargetModules
            ?? throw new ArgumentException("The configuration has no target_modules: name the modules to adapt (a list of names, a regex, or all-linear).");

        // Modules kept whole (and anything inside them) are never wrapped.
        var candidates = modules
            .Where(m => !saved.Any(s => m.Path == s || m.Path.StartsWith(s + ".", StringComparison.Ordinal)))
            .Where(m => InSelectedLayer(config, m.Path))
            .ToList();

        List<(string Path, nn.Module Module)> matched;
        if (targets.IsAllLinear)
        {
            var linear = candidates.Where(m => BaseOf(m.Module) is Linear).ToList();
            var head = config.OutputHead ?? FindOutputHead(modules);
            matched = linear.Where(m => m.Path != head).ToList();
            if (matched.Count == 0)
            {
                throw new ArgumentException("target_modules 'all-linear' matches no Linear layer besides the output head.");
            }
        }
        else if (targets.Names is { } names)
        {
            matched = [];
            foreach (var name in names)
            {
                var hits = candidates.Where(m => TargetModules.MatchesName(m.Path, name)).ToList();
                if (hits.Count == 0)
                {
                    throw new ArgumentException(
                        $"Target module '{name}' matches no module (a name must equal a module's dotted path or end it after a dot). " +
                        $"Closest module names: {Closest(name, modules)}.");
                }

                matched.AddRange(hits.Where(h => !matched.Any(m => m.Path == h.Path)));
            }
        }
        else
        {
            matched = candidates.Where(m => targets.Matches(m.Path)).ToList();
            if (matched.Count == 0)
            {
                throw new ArgumentException(
                    $"Target regex '{targets.Pattern}' matches no module path in full. Closest module names: {Closest(targets.Pattern!, modules)}.");
            }
        }

        // Never wrap a module inside another target: the outer one wins only if it is a layer; containers are errors below.
        return matched.OrderBy(m => modules.FindIndex(x => x.Path == m.Path)).ToList();
    }

    private static bool InSelectedLayer(PeftConfig config, string path)
    {
        if (config.LayersToTransform is not { Count: > 0 } layers)
        {
            return true;
        }

        var pattern = config.LayersPattern is { } p ? Regex.Escape(p) : "[^.]+";
        var match = Regex.Match(path, $"(?:^|\\.)(?:{pattern})\\.(\\d+)(?:\\.|$)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return match.Success && layers.Contains(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? FindOutputHead(List<(string Path, nn.Module Module)> modules)
    {
        var linear = modules.Where(m => BaseOf(m.Module) is Linear).Select(m => m.Path).ToList();
        return linear.FirstOrDefault(p => p == "lm_head" || p.EndsWith(".lm_head", StringComparison.Ordinal))
            ?? linear.FirstOrDefault(p => p is "classifier" or "score")
            ?? linear.LastOrDefault();
    }

    private static nn.Module BaseOf(nn.Module module) => module is AdapterLayer layer ? layer.BaseModule : module;

    private static string Closest(string name, List<(string Path, nn.Module Module)> modules)
    {
        // Compare with each path and with its trailing parts of the same depth, so "qurey" finds "...attention.query".
        var depth = name.Count(c => c == '.') + 1;
        var ranked = modules
            .Select(m =>
            {
                var parts = m.Path.Split('.');
                var tail = string.Join('.', parts.Skip(Math.Max(0, parts.Length - depth)));
                return (m.Path, Distance: Math.Min(NameSuggestions.Distance(name, tail), NameSuggestions.Distance(name, m.Path)));
            })
            .OrderBy(m => m.Distance)
            .ThenBy(m => m.Path, StringComparer.Ordinal)
            .Take(5)
            .Select(m => m.Path)
            .ToList();
        return ranked.Count == 0 ? "(the model has no submodules)" : string.Join(", ", ranked);
    }

    private void Inject(string adapterName, PeftConfig config, string path, nn.Module module)
    {
        switch (config)
        {
            case LoraConfig lora:
                var settings = lora.SettingsFor(path);
                if (module is LoraLayer existing)
                {
                    if (!existing.AdapterNames.Contains(adapterName))
                    {
                        existing.AddAdapter(adapterName, settings);
                    }
                }
                else if (module is AdapterLayer)
                {
                    throw new NotSupportedException($"'{path}' already carries an adapter of another method; one layer can carry one method.");
                }
                else if (module is Linear or Conv2d or Embedding)
                {
                    ModuleTree.Replace(Model, path, LoraLayers.Wrap((nn.Module<Tensor, Tensor>)module, settings, adapterName, path));
                }
                else
                {
                    throw Unsupported(path, module, "LoRA", "Linear, Conv2d and Embedding");
                }

                break;

            case IA3Config ia3:
                var feedForward = ia3.FeedforwardModules?.Matches(path) ?? false;
                if (module is IA3Linear existingIa3)
                {
                    if (existingIa3.IsFeedForward != feedForward)
                    {
                        throw new ArgumentException($"'{path}' already has IA3 adapters with feed-forward = {existingIa3.IsFeedForward}; a new adapter cannot change it.");
                    }

                    if (!existingIa3.AdapterNames.Contains(adapterName))
                    {
                        existingIa3.AddAdapter(adapterName);
                    }
                }
                else if (module is AdapterLayer)
                {
                    throw new NotSupportedException($"'{path}' already carries an adapter of another method; one layer can carry one method.");
                }
                else if (module is Linear linear)
                {
                    ModuleTree.Replace(Model, path, IA3Layers.Wrap(linear, feedForward, adapterName, path));
                }
                else
                {
                    throw Unsupported(path, module, "IA3", "Linear");
                }

                break;

            default:
                throw new NotSupportedException($"Adapter type {config.PeftType} is not supported: use LoraConfig or IA3Config.");
        }
    }

    private static ArgumentException Unsupported(string path, nn.Module module, string method, string types) =>
        new($"Target '{path}' is a {module.GetType().Name}; {method} supports {types}. Name the layers inside it instead (for example '{path}.<layer>').");

    private void RemoveFromLayers(string adapterName)
    {
        foreach (var (path, layer) in AdapterLayers)
        {
            if (!layer.AdapterNames.Contains(adapterName))
            {
                continue;
            }

            layer.DeleteAdapter(adapterName);
            if (layer.AdapterNames.Count == 0)
            {
                ModuleTree.Replace(Model, path, layer.BaseModule);
            }
        }
    }

    private void ApplyActive()
    {
        foreach (var (_, layer) in AdapterLayers)
        {
            layer.SetActiveAdapters(activeAdapters.Where(layer.AdapterNames.Contains));
        }
    }

    private void ApplyTrainability()
    {
        foreach (var parameter in Model.parameters())
        {
            parameter.requires_grad = false;
        }

        foreach (var name in activeAdapters)
        {
            var config = configs[name];
            if (config.InferenceMode)
            {
                continue;
            }

            var bias = (config as LoraConfig)?.Bias ?? BiasMode.None;
            foreach (var (_, layer) in AdapterLayers.Where(l => l.Layer.AdapterNames.Contains(name)))
            {
                foreach (var (_, parameter) in layer.NamedAdapterParameters(name))
                {
                    parameter.requires_grad = true;
                }

                if (bias == BiasMode.LoraOnly)
                {
                    foreach (var (_, parameter) in layer.BaseModule.named_parameters(recurse: false).Where(p => p.name == "bias"))
                    {
                        parameter.requires_grad = true;
                    }
                }
            }

            if (bias == BiasMode.All)
            {
                foreach (var (_, parameter) in Model.named_parameters().Where(p => IsBias(p.name)))
                {
                    parameter.requires_grad = true;
                }
            }

            foreach (var path in modulesToSave[name])
            {
                foreach (var parameter in ModuleTree.Find(Model, path)!.parameters())
                {
                    parameter.requires_grad = true;
                }
            }
        }
    }

    private void SetDisabled(bool disabled)
    {
        foreach (var (_, layer) in AdapterLayers)
        {
            layer.SetAdaptersDisabled(disabled);
        }

        AdaptersDisabled = disabled;
    }

    private void RequireAdapter(string adapterName)
    {
        if (!configs.ContainsKey(adapterName))
        {
            throw new ArgumentException($"The model has no adapter named '{adapterName}'. Adapters: {string.Join(", ", configs.Keys)}.", nameof(adapterName));
        }
    }

    private sealed class EnableOnDispose(PeftModel model) : IDisposable
    {
        public void Dispose() => model.EnableAdapters();
    }
}
