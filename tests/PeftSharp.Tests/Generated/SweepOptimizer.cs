namespace PeftSharp.Tests.Generated;

/// <summary>An enum hyperparameter type.</summary>
public enum SweepOptimizer
{
    AdamW,
    Sgd,
}
