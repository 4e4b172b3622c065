namespace PeftSharp;

using System;

/// <summary>
/// Wraps the annotated layer field with an IA3 adapter (a learned scaling vector, initialised to ones) when the
/// generated <c>ApplyAdapters()</c> runs. The field must be typed <c>Module&lt;Tensor, Tensor&gt;</c> and its class partial.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class IA3TargetAttribute : Attribute
{
    /// <summary>
    /// The layer is a feed-forward layer: IA3 scales its input (a vector of <c>in_features</c>) instead of its output
    /// (the reference's <c>feedforward_modules</c>).
    /// </summary>
    public bool FeedForward { get; set; }
}
