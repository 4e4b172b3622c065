namespace PeftSharp.Serialization;

using System.Collections.Generic;

/// <summary>What <see cref="CheckpointLoader.LoadInto"/> loaded, and what it left alone.</summary>
public sealed class CheckpointLoadReport
{
    internal CheckpointLoadReport(
        IReadOnlyList<string> files,
        IReadOnlyList<string> loaded,
        IReadOnlyList<string> missing,
        IReadOnlyList<string> unexpected,
        IReadOnlyList<string> skipped,
        IReadOnlyList<string> converted)
    {
        Files = files;
        Loaded = loaded;
        Missing = missing;
        Unexpected = unexpected;
        Skipped = skipped;
        Converted = converted;
    }

    /// <summary>The safetensors files that were read (one, or each shard of an index).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The module's state-dict keys that received a value.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>The module's state-dict keys the checkpoint has no value for (left unchanged). Empty when strict.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Checkpoint keys (before the name mapping) that map to no key of the module. Empty when strict.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Checkpoint keys the name mapping returned null for.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>Module keys whose value was converted from another dtype (only with <see cref="CheckpointLoadOptions.AllowDtypeConversion"/>).</summary>
    public IReadOnlyList<string> Converted { get; }
}
