namespace PeftSharp.Lora;

using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Creates the LoRA wrapper that fits a layer's type.</summary>
public static class LoraLayers
{
    /// <summary>Wraps <paramref name="layer"/> with a LoRA adapter configured by <paramref name="target"/>.</summary>
    /// <exception cref="NotSupportedException">LoRA has no wrapper for the layer's type.</exception>
    public static nn.Module<Tensor, Tensor> Wrap(nn.Module<Tensor, Tensor> layer, AdapterTarget target)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(target);
        return layer switch
        {
            Linear linear => new LoraLinear(linear, target.Rank, target.Alpha, target.Dropout),
            IAdapterLayer => throw new InvalidOperationException($"'{target.ModulePath}' already carries an adapter."),
            _ => throw new NotSupportedException(
                $"LoRA cannot wrap '{target.ModulePath}' of type {layer.GetType().Name}: supported layer types are Linear."),
        };
    }
}
