namespace PeftSharp.Serialization;

/// <summary>How <see cref="CheckpointLoader.LoadInto"/> treats keys and dtypes that do not line up.</summary>
public sealed record CheckpointLoadOptions
{
    /// <summary>
    /// When true (the default), a missing or unexpected key is an error. When false they are listed in the
    /// <see cref="CheckpointLoadReport"/> instead; shape mismatches are always an error.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// When true, a checkpoint tensor whose dtype differs from the module's (for example BF16 weights into an F32 model)
    /// is converted on copy. When false (the default) such a difference is an error, so no precision is lost silently.
    /// </summary>
    public bool AllowDtypeConversion { get; init; }
}
