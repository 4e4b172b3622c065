namespace KeywordSpottingLora;

using System;
using System.IO;
using KeywordSpottingLora.Data;
using PeftSharp.Training.Experiments;

/// <summary>
/// The experiment's hyperparameters, with the defaults that the README's command runs. The PeftSharp generator binds
/// them from the command line, the environment and a --config file, and writes --help and the MLflow params; seed,
/// device, checkpoints and sweeps are the runner's options.
/// </summary>
[Experiment("keyword-spotting-lora", Description = Summary)]
public sealed partial class KeywordOptions
{
    internal const string Summary = """
        Keyword spotting on SYNTHETIC speech: ten command words spoken by espeak-ng (fetched as Debian packages) in
        several English accents, voices, rates and pitches, as log-mel spectrograms. A small CNN is trained on four
        accents, then adapted to a held-out accent (Scottish English) by --method lora (LoRA adapters only), full
        (every weight) or scratch (a new model on the target accent only). --sweep grid runs all three.
        prepare-data only generates the Parquet data (cached: later runs reuse it).
        """;

    /// <summary>How to reach the target accent, in the runner's lower-case method names (the MLflow param <c>method</c>).</summary>
    [Hyperparameter(Description = "lora (adapters only), full (all weights) or scratch (new model, target data only)",
        Allowed = new[] { "lora", "full", "scratch" }, Sweep = new[] { "lora", "full", "scratch" })]
    public string Method { get; init; } = "lora";

    /// <summary>Folder of the generated Parquet files and of the pretrained bases cached beside them.</summary>
    [Hyperparameter(Name = "data-dir", Description = "folder of the generated Parquet files (and cached pretrained bases)")]
    public string DataDirectory { get; init; } = Path.Combine(KeywordExperiment.ProjectDirectory, "data");

    /// <summary>Folder of the downloaded espeak-ng Debian packages.</summary>
    [Hyperparameter(Name = "cache-dir", Description = "folder of the downloaded espeak-ng Debian packages")]
    public string CacheDirectory { get; init; } = Path.Combine(KeywordExperiment.ProjectDirectory, ".cache");

    /// <summary>A tiny corpus and short training: a quick check of the whole pipeline (what CI runs).</summary>
    [Hyperparameter(Description = "tiny corpus (1 source accent, 4 voices) for a quick check of the pipeline")]
    public bool Smoke { get; init; }

    /// <summary>Channels of the first convolution (the next ones have 2x and 4x).</summary>
    [Hyperparameter(Description = "channels of the first convolution", Min = 1, Max = 512)]
    public int Width { get; init; } = 16;

    /// <summary>LoRA rank override (unset: the attributes' rank, 4).</summary>
    [Hyperparameter(Description = "LoRA rank (unset: 4, from the model's attributes)", Min = 1, Max = 64)]
    public int? Rank { get; init; }

    /// <summary>Epochs of the base model on the source accents.</summary>
    [Hyperparameter(Description = "base model epochs on the source accents", Min = 1, Max = 1000)]
    public int PretrainEpochs { get; init; } = 8;

    /// <summary>Learning rate of the base model.</summary>
    [Hyperparameter(Description = "base model learning rate", Min = 1e-6, Max = 1)]
    public double PretrainLearningRate { get; init; } = 3e-3;

    /// <summary>Adaptation epochs (unset: 15; 30 for scratch, which starts from random weights).</summary>
    [Hyperparameter(Description = "adaptation epochs (unset: 15, or 30 for scratch)", Min = 1, Max = 10_000)]
    public int? Epochs { get; init; }

    /// <summary>Adaptation learning rate (unset: 5e-3 for lora, 1e-3 for full, 3e-3 for scratch).</summary>
    [Hyperparameter(Description = "adaptation learning rate (unset: lora 5e-3, full 1e-3, scratch 3e-3)", Min = 1e-6, Max = 1)]
    public double? LearningRate { get; init; }

    /// <summary>Clips per adaptation step.</summary>
    [Hyperparameter(Description = "clips per adaptation step", Min = 1, Max = 4096)]
    public int BatchSize { get; init; } = 32;

    /// <summary>Clips per pretraining step.</summary>
    [Hyperparameter(Description = "clips per pretraining step", Min = 1, Max = 4096)]
    public int PretrainBatchSize { get; init; } = 64;

    /// <summary>AdamW weight decay.</summary>
    [Hyperparameter(Description = "AdamW weight decay", Min = 0, Max = 1)]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>The corpus the run reads (generated into <see cref="DataDirectory"/> when missing).</summary>
    [Dataset]
    public CorpusPlan Corpus => Smoke ? CorpusPlan.Smoke : new CorpusPlan();

    /// <summary>A fresh, untrained network of the configured width for the corpus's spectrograms.</summary>
    [Model]
    public KeywordCnn CreateModel() => new(Corpus.Features.MelBins, Corpus.Frames, Width, Corpus.Keywords.Count);

    /// <summary><see cref="Method"/> as the enum.</summary>
    public AdaptationMethod AdaptationMethod() => Enum.Parse<AdaptationMethod>(Method, ignoreCase: true);

    /// <summary>The adaptation epochs of <see cref="Method"/>.</summary>
    public int ResolvedEpochs() => Epochs ?? (AdaptationMethod() == KeywordSpottingLora.AdaptationMethod.Scratch ? 30 : 15);

    /// <summary>The adaptation learning rate of <see cref="Method"/>.</summary>
    public double ResolvedLearningRate() => LearningRate ?? AdaptationMethod() switch
    {
        KeywordSpottingLora.AdaptationMethod.Lora => 5e-3,
        KeywordSpottingLora.AdaptationMethod.Full => 1e-3,
        KeywordSpottingLora.AdaptationMethod.Scratch => 3e-3,
        _ => throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown adaptation method."),
    };
}
