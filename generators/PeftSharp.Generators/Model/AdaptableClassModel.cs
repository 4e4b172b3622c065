namespace PeftSharp.Generators.Model;

using PeftSharp.Generators.Common;

/// <summary>Everything the emitter needs for one class; no locations, so moving code around does not re-emit.</summary>
/// <param name="Class">The class to extend.</param>
/// <param name="Adapters">The adapter plan in declaration order.</param>
/// <param name="TrainableModules">Component names kept fully trainable, in declaration order.</param>
internal sealed record AdaptableClassModel(
    TargetClassInfo Class,
    EquatableArray<AdapterFieldModel> Adapters,
    EquatableArray<string> TrainableModules);
