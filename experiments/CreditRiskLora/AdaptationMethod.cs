namespace CreditRiskLora;

/// <summary>How the target-portfolio model is obtained.</summary>
public enum AdaptationMethod
{
    /// <summary>The pretrained model, LoRA on both hidden layers plus the head trained; everything else frozen.</summary>
    Lora,

    /// <summary>The pretrained model, every parameter fine-tuned.</summary>
    Full,

    /// <summary>A fresh model trained on the target rows only (no pretraining).</summary>
    Scratch,

    /// <summary>The pretrained model, only the head trained (a linear probe on the pretrained features).</summary>
    Head,
}
