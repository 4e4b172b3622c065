namespace PeftSharp;

/// <summary>A parameter-efficient fine-tuning method.</summary>
public enum AdapterMethod
{
    /// <summary>Low-rank adaptation: <c>W x + (B A x) * alpha / r</c> (with rsLoRA, <c>alpha / sqrt(r)</c>; with DoRA, magnitude-rescaled).</summary>
    Lora,

    /// <summary>IA3: a learned vector scales the layer's output (attention-style targets) or its input (feed-forward targets).</summary>
    IA3,
}
