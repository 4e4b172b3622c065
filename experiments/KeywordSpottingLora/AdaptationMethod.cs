namespace KeywordSpottingLora;

/// <summary>How the pretrained model is brought to the target accent.</summary>
public enum AdaptationMethod
{
    /// <summary>LoRA adapters on the convolutions and the hidden layer (declared on <see cref="KeywordCnn"/>); the rest frozen.</summary>
    Lora,

    /// <summary>Every parameter of the pretrained model trained.</summary>
    Full,

    /// <summary>A freshly initialised model trained on the target accent's adaptation clips only.</summary>
    Scratch,
}
