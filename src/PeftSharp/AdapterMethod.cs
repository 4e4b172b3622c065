namespace PeftSharp;

/// <summary>A parameter-efficient fine-tuning method.</summary>
public enum AdapterMethod
{
    /// <summary>Low-rank adaptation: <c>W x + (B A x) * alpha / r</c>.</summary>
    Lora,
}
