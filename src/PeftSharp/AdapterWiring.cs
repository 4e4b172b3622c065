namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.IA3;
using PeftSharp.Lora;
using PeftSharp.Tuners;
using static TorchSharp.torch;

/// <summary>
/// What the generated <c>ApplyAdapters()</c> calls: replaces a registered layer with its adapter wrapper and freezes
/// everything outside adapters and trainable modules. Kept in the runtime so generated code stays small.
/// </summary>
public static class AdapterWiring
{
    /// <summary>
    /// Wraps <paramref name="layer"/>, the value of <paramref name="owner"/>'s component <paramref name="componentName"/>,
    /// and re-registers the component so the state dict holds the wrapper's keys and not the old layer's.
    /// </summary>
    /// <returns>The wrapper, to be stored back into the field.</returns>
    public static nn.Module<Tensor, Tensor> Wrap(
        nn.Module owner, string componentName, nn.Module<Tensor, Tensor> layer, AdapterTarget target)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(target);
        if (layer is null)
        {
            throw new InvalidOperationException(
                $"'{target.ModulePath}' is null: assign the layer in the constructor before calling ApplyAdapters().");
        }

        target.Validate();
        var wrapper = target.Method switch
        {
            AdapterMethod.Lora => LoraLayers.Wrap(layer, target),
            AdapterMethod.IA3 => IA3Layers.Wrap(layer, target.FeedForward, Tuners.AdapterLayer.DefaultAdapterName, target.ModulePath),
            _ => throw new NotSupportedException($"Adapter method {target.Method} is not supported."),
        };

        // Replaced in place in the registration: the old layer leaves the state dict and the parameter order is kept.
        ModuleTree.ReplaceRegistration(owner, componentName, wrapper);
        return wrapper;
    }

    /// <summary>
    /// Freezes every parameter of <paramref name="model"/>, then unfreezes adapter parameters and every parameter of
    /// the modules named in <paramref name="trainableModules"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A trainable module path names no module; the message lists the paths that exist.</exception>
    public static void Freeze(nn.Module model, IEnumerable<string> trainableModules)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainableModules);
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = false;
        }

        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        foreach (var module in modules.Values.OfType<IAdapterLayer>())
        {
            foreach (var parameter in module.AdapterParameters())
            {
                parameter.requires_grad = true;
            }
        }

        foreach (var path in trainableModules)
        {
            if (!modules.TryGetValue(path, out var module))
            {
                throw new ArgumentException(
                    $"Trainable module '{path}' does not exist. Modules: {string.Join(", ", modules.Keys.Where(k => k.Length > 0))}.");
            }

            foreach (var parameter in module.parameters())
            {
                parameter.requires_grad = true;
            }
        }
    }
}
