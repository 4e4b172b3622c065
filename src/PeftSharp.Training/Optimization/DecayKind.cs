namespace PeftSharp.Training.Optimization;

/// <summary>How the learning rate falls after warm-up.</summary>
public enum DecayKind
{
    /// <summary>Stays at the peak.</summary>
    Constant,

    /// <summary>Falls linearly to zero at the last step.</summary>
    Linear,

    /// <summary>Follows half a cosine to zero at the last step.</summary>
    Cosine,
}
