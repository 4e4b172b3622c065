namespace FashionResNetLora;

using System.IO;
using FashionResNetLora.Data;
using PeftSharp.Training.Experiments;

/// <summary>
/// The experiment's hyperparameters, with the defaults the README's commands run. Bound by the PeftSharp generator
/// from the command line, the environment and a --config file; seed, device, threads, checkpoints and sweeps are the
/// runner's options (docs/runner.md).
/// </summary>
[Experiment("fashion-resnet-lora", Description = Summary)]
public sealed partial class FashionOptions
{
    /// <summary>What the experiment does, shown by --help.</summary>
    internal const string Summary = """
        Adapts ML.NET's ImageNet-pretrained ResNet-18 to Fashion-MNIST: LoRA on its convolutions plus a new head, against
        a linear probe, full fine-tuning and training from scratch (--sweep grid runs all four as child runs of one
        sweep). Data: a class-balanced subset of Debian's dataset-fashion-mnist, upsampled to --input-size pixels.
        """;

    /// <summary>The training method.</summary>
    [Hyperparameter(Description = "lora (convolutions + head), probe (head only), full (everything), scratch (random init, everything)",
        Sweep = new[] { "lora", "probe", "full", "scratch" })]
    public FineTuningMethod Method { get; init; } = FineTuningMethod.Lora;

    /// <summary>Side of the upsampled images the ResNet sees.</summary>
    [Hyperparameter(Description = "side in pixels of the upsampled images the ResNet sees (Fashion-MNIST is 28x28)", Min = 32, Max = 224)]
    public int InputSize { get; init; } = 32;

    /// <summary>Training images (equal classes).</summary>
    [Hyperparameter(Description = "training images from the official training set (a multiple of 10: equal classes)", Min = 10, Max = 59_990)]
    public int TrainSize { get; init; } = 1000;

    /// <summary>Validation images, evaluated after every epoch.</summary>
    [Hyperparameter(Description = "validation images from the official training set, disjoint from the training images (a multiple of 10)", Min = 10, Max = 59_990)]
    public int ValidationSize { get; init; } = 500;

    /// <summary>Test images from the official test set.</summary>
    [Hyperparameter(Description = "test images from the official test set (a multiple of 10)", Min = 10, Max = 10_000)]
    public int TestSize { get; init; } = 1000;

    /// <summary>Passes over the training images.</summary>
    [Hyperparameter(Description = "epochs", Min = 1, Max = 1000)]
    public int Epochs { get; init; } = 2;

    /// <summary>Images per step.</summary>
    [Hyperparameter(Description = "images per step", Min = 1, Max = 4096)]
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate; unset takes the method's default.</summary>
    [Hyperparameter(Description = "peak learning rate (unset: lora 1e-3, probe 1e-2, full 3e-4, scratch 1e-3)", Min = 1e-8, Max = 10)]
    public double? LearningRate { get; init; }

    /// <summary>AdamW weight decay (not on biases and BatchNorm).</summary>
    [Hyperparameter(Description = "AdamW weight decay (biases and BatchNorm excluded)", Min = 0, Max = 10)]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>LoRA rank on every convolution.</summary>
    [Hyperparameter(Description = "LoRA rank on every convolution (method lora)", Min = 1, Max = 512)]
    public int Rank { get; init; } = 8;

    /// <summary>LoRA alpha (scaling alpha / rank).</summary>
    [Hyperparameter(Description = "LoRA alpha; the update is scaled by alpha / rank", Min = 1e-6, Max = 1e6)]
    public double Alpha { get; init; } = 16;

    /// <summary>Where the Parquet subsets are written.</summary>
    [Hyperparameter(Name = "data-dir", Description = "folder of the prepared Parquet subsets (default: the project's data/)")]
    public string? DataDirectory { get; init; }

    /// <summary>Where the Debian package is cached.</summary>
    [Hyperparameter(Name = "cache-dir", Description = "folder of the downloaded Debian package (default: the project's .cache/)")]
    public string? CacheDirectory { get; init; }

    /// <summary>The learning rate this run uses.</summary>
    public double EffectiveLearningRate => LearningRate ?? Method switch
    {
        FineTuningMethod.Probe => 1e-2,
        FineTuningMethod.Full => 3e-4,
        _ => 1e-3,
    };

    /// <summary>The Parquet file of the training images this run reads.</summary>
    [Dataset]
    public string Dataset => SubsetFiles.In(DataDirectory ?? ExperimentPaths.DefaultDataDirectory, Sizes).Train;

    /// <summary>The subset sizes.</summary>
    public SubsetSizes Sizes => new(TrainSize, ValidationSize, TestSize);

    /// <summary>The classifier of this method, before adapters (the run builds its own with the run's seed).</summary>
    [Model]
    public FashionClassifier CreateModel() => FashionExperiment.Build(this, seed: 42);
}
