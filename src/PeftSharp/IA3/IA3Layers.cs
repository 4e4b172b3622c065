namespace PeftSharp.IA3;

using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Creates the IA3 wrapper that fits a layer's type (Linear).</summary>
public static class IA3Layers
{
    /// <summary>Wraps <paramref name="layer"/> (at <paramref name="path"/>, for messages) with the IA3 adapter <paramref name="adapterName"/>.</summary>
    /// <exception cref="NotSupportedException">IA3 has no wrapper for the layer's type.</exception>
    /// <exception cref="InvalidOperationException">The layer already carries adapters.</exception>
    public static IA3Linear Wrap(nn.Module<Tensor, Tensor> layer, bool feedForward, string adapterName, string path)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer switch
        {
            Linear linear => new IA3Linear(linear, feedForward, adapterName),
            IAdapterLayer => throw new InvalidOperationException($"'{path}' already carries an adapter."),
            _ => throw new NotSupportedException($"IA3 cannot wrap '{path}' of type {layer.GetType().Name}: the supported layer type is Linear."),
        };
    }
}
