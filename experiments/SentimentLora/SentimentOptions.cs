namespace SentimentLora;

using PeftSharp.Training.Experiments;

/// <summary>
/// The experiment's hyperparameters, with the defaults the README's command runs. The PeftSharp generator binds them
/// from the command line, the environment and a --config file, and writes --help and the MLflow params.
/// </summary>
[Experiment("sentiment-lora", Description = Commands)]
public sealed partial class SentimentOptions
{
    /// <summary>The commands besides training, shown by --help.</summary>
    internal const string Commands = """
        Fine-tunes the pretrained all-MiniLM-L6-v2 encoder with a classification head to tell 5-star Amazon Fine Foods
        reviews from the rest (4000 training reviews, 1000 test reviews of other products), and records the run in
        MLflow (./mlruns unless MLFLOW_TRACKING_URI is set). The LoRA adapter is saved in PEFT's format as an artifact.

        --method frozen|lora|dora|ia3|full picks the fine-tuning; --sweep grid runs all five as child runs of one
        sweep run, on the same data, split and budget.
        """;

    /// <summary>Folder of the review Parquet files; prepared from the Debian package when missing.</summary>
    [Hyperparameter(Name = "data-dir", Description = "folder of reviews_train/test.parquet (prepared when missing)")]
    public string DataDirectory { get; init; } = SentimentExperiment.DefaultDataDirectory;

    /// <summary>Where the Debian package is downloaded and unpacked.</summary>
    [Hyperparameter(Name = "cache-dir", Description = "download cache of the Debian package")]
    public string CacheDirectory { get; init; } = SentimentExperiment.DefaultCacheDirectory;

    /// <summary>How the encoder is adapted.</summary>
    [Hyperparameter(Description = "fine-tuning method", Sweep = new[] { "frozen", "lora", "dora", "ia3", "full" })]
    public FineTuningMethod Method { get; init; } = FineTuningMethod.Lora;

    /// <summary>Passes over the training reviews.</summary>
    [Hyperparameter(Description = "passes over the training reviews", Min = 1, Max = 1000)]
    public int Epochs { get; init; } = 3;

    /// <summary>Reviews per optimizer step.</summary>
    [Hyperparameter(Description = "reviews per step", Min = 1, Max = 4096)]
    public int BatchSize { get; init; } = 16;

    /// <summary>Tokens per review kept, [CLS] and [SEP] included; batches are padded to their longest review only.</summary>
    [Hyperparameter(Description = "tokens kept per review, [CLS] and [SEP] included", Min = 8, Max = 512)]
    public int MaxLength { get; init; } = 128;

    /// <summary>Peak learning rate; unset takes the method's default (see <see cref="DefaultLearningRate"/>).</summary>
    [Hyperparameter(Description = "peak AdamW learning rate (unset: frozen 2e-3, lora/dora 1e-3, ia3 5e-3, full 1e-4)", Min = 1e-8, Max = 10)]
    public double? LearningRate { get; init; }

    /// <summary>AdamW weight decay.</summary>
    [Hyperparameter(Description = "AdamW weight decay", Min = 0, Max = 10)]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Fraction of steps of linear warm-up.</summary>
    [Hyperparameter(Description = "fraction of the steps spent in linear learning-rate warm-up", Min = 0, Max = 0.99)]
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Share of training products held out for validation (by product, so no product is in both).</summary>
    [Hyperparameter(Description = "share of training products held out for validation", Min = 0, Max = 0.5)]
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Use only the first N training reviews (a quick run); unset uses all.</summary>
    [Hyperparameter(Description = "train on only the first N training reviews (unset: all)", Min = 1, Max = 1_000_000)]
    public int? TrainLimit { get; init; }

    /// <summary>Evaluate on only the first N test reviews; unset uses all.</summary>
    [Hyperparameter(Description = "evaluate on only the first N test reviews (unset: all 1000)", Min = 1, Max = 1_000_000)]
    public int? TestLimit { get; init; }

    /// <summary>Evaluate on the validation reviews every this many steps; unset evaluates after each epoch.</summary>
    [Hyperparameter(Description = "evaluate on the validation reviews every N steps (unset: after each epoch)", Min = 1, Max = 1_000_000)]
    public int? EvalEvery { get; init; }

    /// <summary>Overrides the attributes' LoRA rank (lora and dora).</summary>
    [Hyperparameter(Description = "LoRA rank (unset: the attributes' 8)", Min = 1, Max = 384)]
    public int? Rank { get; init; }

    /// <summary>Cache of the imported MiniLM weights (unset: PEFTSHARP_CACHE/models or ~/.cache/peftsharp/models).</summary>
    [Hyperparameter(Name = "model-cache", Description = "cache of the imported MiniLM weights (unset: ~/.cache/peftsharp/models)")]
    public string? ModelCacheDirectory { get; init; }

    /// <summary>The learning rate this run uses.</summary>
    public double EffectiveLearningRate => LearningRate ?? DefaultLearningRate(Method);

    /// <summary>The dataset the run reads.</summary>
    [Dataset]
    public string Dataset => DataDirectory;

    /// <summary>
    /// The peak learning rate of each method when none is given: adapters and a lone head take larger steps than
    /// full fine-tuning, whose updates move the pretrained weights themselves.
    /// </summary>
    public static double DefaultLearningRate(FineTuningMethod method) => method switch
    {
        FineTuningMethod.Frozen => 2e-3,
        FineTuningMethod.Lora or FineTuningMethod.Dora => 1e-3,
        FineTuningMethod.IA3 => 5e-3,
        _ => 1e-4,
    };

    /// <summary>The pretrained classifier this run starts from (encoder weights from the MiniLM package).</summary>
    [Model]
    public SentimentClassifier CreateModel() => new(PeftSharp.Models.MiniLm.MiniLmL6V2.Load(ModelCacheDirectory));
}
