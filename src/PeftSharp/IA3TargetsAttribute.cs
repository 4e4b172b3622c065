namespace PeftSharp;

using System;

/// <summary>
/// Targets layers anywhere in the module tree of the annotated partial model class by name with IA3 (see
/// <see cref="LoraTargetsAttribute"/> for the matching rules).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IA3TargetsAttribute : Attribute
{
    /// <summary>Creates the attribute for the layers named <paramref name="modules"/> (last path segments or full paths).</summary>
    public IA3TargetsAttribute(params string[] modules)
    {
        Modules = modules ?? [];
    }

    /// <summary>The layer names to match (full dotted paths or their last segments).</summary>
    public string[] Modules { get; }

    /// <summary>A regular expression over the whole dotted path; used in addition to <see cref="Modules"/>.</summary>
    public string? Pattern { get; set; }

    /// <summary>The matched layers are feed-forward layers: IA3 scales their input instead of their output.</summary>
    public bool FeedForward { get; set; }
}
