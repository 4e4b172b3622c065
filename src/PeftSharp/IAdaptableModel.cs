namespace PeftSharp;

using System.Collections.Generic;

/// <summary>
/// A model whose adapters are declared with attributes; the PeftSharp source generator implements this interface
/// on the partial module class.
/// </summary>
public interface IAdaptableModel
{
    /// <summary>The adapters the attributes declare, before any override.</summary>
    IReadOnlyList<AdapterTarget> AdapterPlan { get; }

    /// <summary>Paths of the modules kept fully trainable (<see cref="TrainableAttribute"/>).</summary>
    IReadOnlyList<string> TrainableModules { get; }

    /// <summary>
    /// Wraps each planned layer with its adapter, registers the adapter modules under the reference key layout,
    /// and freezes every parameter outside adapters and trainable modules. Returns the plan that was applied.
    /// Call it after loading pretrained base weights and before moving the model to its device.
    /// </summary>
    IReadOnlyList<AdapterTarget> ApplyAdapters(AdapterOverrides? adapterOverrides = null);
}
