namespace PeftSharp;

using System;

/// <summary>
/// Targets layers anywhere in the module tree of the annotated partial model class by name, like the reference's
/// <c>target_modules</c>: a name matches a layer whose dotted path equals it or ends with <c>"." + name</c>; a
/// <see cref="Pattern"/> is a regular expression that must match the whole dotted path. The generator resolves the
/// names at compile time over the fields it can see and reports a name that matches no layer (PEFT010).
/// </summary>
/// <remarks>Several attributes may target different layers with different values; a layer matched twice is an error.</remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LoraTargetsAttribute : Attribute
{
    /// <summary>Creates the attribute for the layers named <paramref name="modules"/> (last path segments or full paths).</summary>
    public LoraTargetsAttribute(params string[] modules)
    {
        Modules = modules ?? [];
    }

    /// <summary>The layer names to match (full dotted paths or their last segments).</summary>
    public string[] Modules { get; }

    /// <summary>A regular expression over the whole dotted path (the reference's single-string <c>target_modules</c>); used in addition to <see cref="Modules"/>.</summary>
    public string? Pattern { get; set; }

    /// <summary>The rank <c>r</c> of the low-rank update; must be positive.</summary>
    public int Rank { get; set; } = LoraDefaults.Rank;

    /// <summary>The reference's <c>lora_alpha</c>; must be positive.</summary>
    public double Alpha { get; set; } = LoraDefaults.Alpha;

    /// <summary>Dropout probability applied to the adapter branch input only, in [0, 1).</summary>
    public double Dropout { get; set; } = LoraDefaults.Dropout;

    /// <summary>Scale the update by <c>Alpha / sqrt(Rank)</c> (rsLoRA).</summary>
    public bool UseRsLora { get; set; }

    /// <summary>Weight-decomposed LoRA (DoRA).</summary>
    public bool UseDora { get; set; }

    /// <summary>How A and B start.</summary>
    public LoraInit Init { get; set; } = LoraInit.Default;
}
