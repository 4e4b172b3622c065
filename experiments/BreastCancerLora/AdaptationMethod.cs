namespace BreastCancerLora;

/// <summary>How the site B model is obtained.</summary>
public enum AdaptationMethod
{
    /// <summary>The pretrained model with LoRA on both hidden layers and the head trained; everything else frozen.</summary>
    Lora,

    /// <summary>The pretrained model, every parameter fine-tuned.</summary>
    Full,

    /// <summary>A fresh model trained on site B rows only (no pretraining).</summary>
    Scratch,

    /// <summary>The pretrained model, only the head trained.</summary>
    Head,
}
