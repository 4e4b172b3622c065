namespace PeftSharp;

/// <summary>Which biases train with the adapter (the reference's <c>bias</c>).</summary>
public enum BiasMode
{
    /// <summary>No bias trains (<c>"none"</c>).</summary>
    None,

    /// <summary>Every bias of the model trains and is saved with the adapter (<c>"all"</c>).</summary>
    All,

    /// <summary>The biases of the layers the adapter wraps train and are saved (<c>"lora_only"</c>).</summary>
    LoraOnly,
}
