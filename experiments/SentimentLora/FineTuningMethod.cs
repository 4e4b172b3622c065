namespace SentimentLora;

/// <summary>How the pretrained encoder is adapted; every method trains the classification head.</summary>
public enum FineTuningMethod
{
    /// <summary>The encoder stays frozen; only the head trains (a linear probe trained end to end).</summary>
    Frozen,

    /// <summary>LoRA on query and value, as <see cref="SentimentClassifier"/>'s attributes declare.</summary>
    Lora,

    /// <summary>DoRA: the same LoRA plan with a learned magnitude per output row.</summary>
    Dora,

    /// <summary>IA3 on key, value and both feed-forward outputs (PEFT's default targets for BERT).</summary>
    IA3,

    /// <summary>Every encoder parameter trains (full fine-tuning).</summary>
    Full,
}
