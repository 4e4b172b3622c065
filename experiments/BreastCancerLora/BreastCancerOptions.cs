namespace BreastCancerLora;

using System;
using System.IO;
using PeftSharp;
using PeftSharp.Training.Experiments;

/// <summary>
/// The experiment's hyperparameters, with the defaults that the README's command runs. The PeftSharp generator binds
/// them from the command line, the environment and a --config file, writes --help and the MLflow params. Seed, device,
/// checkpoints and resume are the runner's options (docs/runner.md).
/// </summary>
[Experiment("breast-cancer-lora", Description = Summary)]
public sealed partial class BreastCancerOptions
{
    /// <summary>What the experiment does, shown by --help.</summary>
    internal const string Summary = """
        Trains a tumour classifier on one patient subgroup (site A: smaller tumours), then adapts it with LoRA to
        another (site B: larger tumours) and records the run in MLflow (./mlruns unless MLFLOW_TRACKING_URI is set).
        """;

    /// <summary>Parquet dataset; created from the bundled CSV when it does not exist.</summary>
    [Hyperparameter(Name = "data", Description = "Parquet dataset (created from the bundled CSV when missing)")]
    public string DataPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.parquet");

    /// <summary>How the site B model is obtained; the method comparison sweeps it (README).</summary>
    [Hyperparameter(Description = "lora, full (fine-tune everything), scratch (site B rows only) or head (head only)", Sweep = new[] { "Lora", "Full", "Scratch", "Head" })]
    public AdaptationMethod Method { get; init; } = AdaptationMethod.Lora;

    /// <summary>Width of both hidden layers.</summary>
    [Hyperparameter(Description = "width of the hidden layers", Min = 1, Max = 65536)]
    public int HiddenSize { get; init; } = 128;

    /// <summary>Full-training epochs of the base model on site A.</summary>
    [Hyperparameter(Description = "base model epochs on site A", Min = 1, Max = 100_000)]
    public int PretrainEpochs { get; init; } = 60;

    /// <summary>Learning rate of the base model's training.</summary>
    [Hyperparameter(Description = "base model learning rate", Min = 1e-8, Max = 10)]
    public double PretrainLearningRate { get; init; } = 1e-3;

    /// <summary>LoRA adaptation epochs on site B.</summary>
    [Hyperparameter(Description = "LoRA epochs on site B", Min = 1, Max = 100_000)]
    public int Epochs { get; init; } = 60;

    /// <summary>Learning rate of the adaptation.</summary>
    [Hyperparameter(Description = "LoRA learning rate", Min = 1e-8, Max = 10, Sweep = new[] { "1e-3", "3e-3", "1e-2" })]
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Rows per step.</summary>
    [Hyperparameter(Description = "rows per step", Min = 1, Max = 1_000_000)]
    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW weight decay.</summary>
    [Hyperparameter(Description = "AdamW weight decay", Min = 0, Max = 10)]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Optimizer steps of linear learning-rate warm-up in the adaptation.</summary>
    [Hyperparameter(Description = "learning-rate warm-up steps of the adaptation", Min = 0, Max = 1_000_000)]
    public int WarmupSteps { get; init; }

    /// <summary>Validation evaluations without improvement before the adaptation stops; 0 never stops early.</summary>
    [Hyperparameter(Description = "stop after N validation checks without improvement (0 = never)", Min = 0, Max = 1_000_000)]
    public int Patience { get; init; }

    /// <summary>Overrides the attributes' LoRA rank when set.</summary>
    [Hyperparameter(Description = "LoRA rank for every adapter (unset: the attributes' value, 4)", Min = 1, Max = 4096, Sweep = new[] { "2", "4", "8" })]
    public int? Rank { get; init; }

    /// <summary>Overrides the attributes' LoRA alpha when set.</summary>
    [Hyperparameter(Description = "LoRA alpha for every adapter (unset: the attributes' value, 8)", Min = 1e-8, Max = 1e6)]
    public double? Alpha { get; init; }

    /// <summary>Overrides the attributes' LoRA dropout when set.</summary>
    [Hyperparameter(Description = "LoRA dropout in [0, 1) (unset: the attributes' value, 0)", Min = 0, Max = 0.999999)]
    public double? Dropout { get; init; }

    /// <summary>The attribute overrides these options ask for.</summary>
    public AdapterOverrides AdapterOverrides => new(Rank, Alpha, Dropout);

    /// <summary>The dataset the run reads.</summary>
    [Dataset]
    public string Dataset => DataPath;

    /// <summary>A fresh, untrained classifier of the configured width (the run creates its own with the run's seed).</summary>
    [Model]
    public TumourClassifier CreateModel() => new(BreastCancerData.Features.Count, HiddenSize, classes: 2);
}
