namespace PeftSharp;

using System;

/// <summary>
/// Wraps the annotated layer field with a LoRA adapter when the generated <c>ApplyAdapters()</c> runs.
/// The field must be typed <c>Module&lt;Tensor, Tensor&gt;</c> (TorchSharp's <c>Linear</c> is sealed) and its class partial.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class LoraTargetAttribute : Attribute
{
    /// <summary>Creates the attribute with the adapter rank <paramref name="rank"/> (the reference's <c>r</c>).</summary>
    public LoraTargetAttribute(int rank = LoraDefaults.Rank)
    {
        Rank = rank;
    }

    /// <summary>The rank <c>r</c> of the low-rank update; must be positive.</summary>
    public int Rank { get; }

    /// <summary>The reference's <c>lora_alpha</c>; the update is scaled by <c>Alpha / Rank</c>. Must be positive.</summary>
    public double Alpha { get; set; } = LoraDefaults.Alpha;

    /// <summary>Dropout probability applied to the adapter branch input only, in [0, 1).</summary>
    public double Dropout { get; set; } = LoraDefaults.Dropout;

    /// <summary>Scale the update by <c>Alpha / sqrt(Rank)</c> instead of <c>Alpha / Rank</c> (rsLoRA, the reference's <c>use_rslora</c>).</summary>
    public bool UseRsLora { get; set; }

    /// <summary>Weight-decomposed LoRA (DoRA, the reference's <c>use_dora</c>): adds a trainable magnitude per output row.</summary>
    public bool UseDora { get; set; }

    /// <summary>How A and B start (the reference's <c>init_lora_weights</c>).</summary>
    public LoraInit Init { get; set; } = LoraInit.Default;
}
