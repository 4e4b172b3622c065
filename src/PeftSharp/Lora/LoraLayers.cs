namespace PeftSharp.Lora;

using System;
using PeftSharp.Tuners;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Creates the LoRA wrapper that fits a layer's type (Linear, Conv2d, Embedding).</summary>
public static class LoraLayers
{
    /// <summary>Wraps <paramref name="layer"/> with a LoRA adapter configured by <paramref name="target"/>.</summary>
    /// <exception cref="NotSupportedException">LoRA has no wrapper for the layer's type.</exception>
    public static nn.Module<Tensor, Tensor> Wrap(nn.Module<Tensor, Tensor> layer, AdapterTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Wrap(layer, LoraSettings.From(target), AdapterLayer.DefaultAdapterName, target.ModulePath);
    }

    /// <summary>Wraps <paramref name="layer"/> (at <paramref name="path"/>, for messages) with the LoRA adapter <paramref name="adapterName"/>.</summary>
    /// <exception cref="NotSupportedException">LoRA has no wrapper for the layer's type, or the type does not support an option.</exception>
    /// <exception cref="InvalidOperationException">The layer already carries adapters.</exception>
    public static LoraLayer Wrap(nn.Module<Tensor, Tensor> layer, LoraSettings settings, string adapterName, string path)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return layer switch
            {
                Linear linear => new LoraLinear(linear, settings, adapterName),
                Conv2d conv => new LoraConv2d(conv, settings, adapterName),
                Embedding embedding => new LoraEmbedding(embedding, settings, adapterName),
                IAdapterLayer => throw new InvalidOperationException($"'{path}' already carries an adapter."),
                _ => throw new NotSupportedException(
                    $"LoRA cannot wrap '{path}' of type {layer.GetType().Name}: supported layer types are Linear, Conv2d and Embedding."),
            };
        }
        catch (NotSupportedException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"LoRA on '{path}': {e.Message}", e);
        }
    }
}
