namespace PeftSharp;

/// <summary>The reference PEFT defaults for LoRA hyperparameters.</summary>
public static class LoraDefaults
{
    /// <summary>Default rank <c>r</c>.</summary>
    public const int Rank = 8;

    /// <summary>Default <c>lora_alpha</c>.</summary>
    public const double Alpha = 8;

    /// <summary>Default <c>lora_dropout</c>.</summary>
    public const double Dropout = 0;
}
