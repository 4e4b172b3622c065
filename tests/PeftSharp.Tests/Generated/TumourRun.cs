namespace PeftSharp.Tests.Generated;

using PeftSharp.Training.Experiments;

/// <summary>An experiment class bound by the generated code.</summary>
[Experiment("tumour-lora", Description = "Adapts a tumour classifier.")]
public sealed partial class TumourRun
{
    [Hyperparameter(Description = "AdamW learning rate", Min = 1e-8, Max = 10, Sweep = new[] { "1e-3", "3e-3" })]
    public double LearningRate { get; init; } = 3e-3;

    [Hyperparameter(Description = "LoRA rank override", Allowed = new[] { "2", "4", "8" }, Sweep = new[] { "4", "8" })]
    public int? Rank { get; init; }

    [Hyperparameter(Description = "Training epochs", Min = 1, Max = 1000)]
    public int Epochs { get; init; } = 60;

    public bool UseBias { get; init; }

    public SweepOptimizer Optimizer { get; init; } = SweepOptimizer.AdamW;

    public string? Tag { get; init; }

    [Model]
    public NestedEncoder CreateModel() => Epochs > 0 ? new() : throw new System.InvalidOperationException("Epochs must be positive.");

    [Dataset]
    public string Data => Tag ?? "none";
}
