namespace PeftSharp;

/// <summary>How LoRA's A and B matrices start (the reference's <c>init_lora_weights</c>).</summary>
public enum LoraInit
{
    /// <summary>A Kaiming-uniform (a = sqrt(5)), B zero: a fresh adapter changes nothing (<c>true</c>).</summary>
    Default,

    /// <summary>A ~ N(0, 1/r), B zero (<c>"gaussian"</c>).</summary>
    Gaussian,

    /// <summary>A and B from the top-r SVD of the base weight, which loses that part (<c>"pissa"</c>).</summary>
    Pissa,
}
