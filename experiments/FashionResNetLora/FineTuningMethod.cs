namespace FashionResNetLora;

/// <summary>How the classifier is trained; the experiment compares all four on the same data and budget.</summary>
public enum FineTuningMethod
{
    /// <summary>LoRA on every convolution of the pretrained ResNet plus the new head; the base and its BatchNorm statistics stay frozen.</summary>
    Lora,

    /// <summary>Linear probe: only the new head trains, on the frozen pretrained features.</summary>
    Probe,

    /// <summary>Full fine-tuning: every weight of the pretrained ResNet and the head trains, BatchNorm statistics adapt.</summary>
    Full,

    /// <summary>The same network from random weights, everything trained: what pretraining is worth.</summary>
    Scratch,
}
