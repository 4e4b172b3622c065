namespace PeftSharp;

using System.Collections.Generic;

/// <summary>What every adapter method's configuration shares (the reference's <c>PeftConfig</c> fields).</summary>
public abstract record PeftConfig
{
    /// <summary>The reference's <c>peft_type</c>, for example <c>LORA</c> or <c>IA3</c>.</summary>
    public abstract string PeftType { get; }

    /// <summary>Which modules get the adapter.</summary>
    public TargetModules? TargetModules { get; init; }

    /// <summary>Modules kept fully trainable and saved with the adapter, by exact or dotted-suffix name (typically a new head).</summary>
    public IReadOnlyList<string> ModulesToSave { get; init; } = [];

    /// <summary>For <see cref="TargetModules.AllLinear"/>: the dotted path of the output head to leave out; when null, a Linear
    /// named <c>lm_head</c>, else a top-level <c>classifier</c> or <c>score</c>, else the last Linear registered.</summary>
    public string? OutputHead { get; init; }

    /// <summary>Only layers with these indices get the adapter (the reference's <c>layers_to_transform</c>), or null for all.</summary>
    public IReadOnlyList<int>? LayersToTransform { get; init; }

    /// <summary>The name of the module list holding the layers <see cref="LayersToTransform"/> counts (for example <c>layers</c>); null for any.</summary>
    public string? LayersPattern { get; init; }

    /// <summary>The base model's name or path, recorded in the saved configuration.</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The base model's revision, recorded in the saved configuration.</summary>
    public string? Revision { get; init; }

    /// <summary>The reference's <c>task_type</c> (for example <c>SEQ_CLS</c>), or null.</summary>
    public string? TaskType { get; init; }

    /// <summary>Whether the adapter is used for inference only (then nothing trains); saved configurations say true.</summary>
    public bool InferenceMode { get; init; }
}
