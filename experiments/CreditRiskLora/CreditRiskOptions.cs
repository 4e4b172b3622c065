namespace CreditRiskLora;

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using CreditRiskLora.Data;
using PeftSharp;
using PeftSharp.Training.Experiments;

/// <summary>
/// The experiment's hyperparameters, with the defaults the README's command runs. The PeftSharp generator binds them
/// from the command line, the environment and a --config file, writes --help and the MLflow params.
/// </summary>
[Experiment("credit-risk-lora", Description = Commands)]
public sealed partial class CreditRiskOptions
{
    /// <summary>The commands besides training, shown by --help.</summary>
    internal const string Commands = """
        Pretrains a credit-risk classifier on one lender's loans (--source), then adapts it to another lender's
        loans (--target: distribution drift) and compares LoRA with full fine-tuning, head-only training and a model
        trained from scratch on the target alone (ROC AUC, PR AUC, recall at a fixed precision, accuracy).
        Runs are recorded in MLflow (./mlruns unless MLFLOW_TRACKING_URI is set).
        Without any option it runs the whole comparison (--sweep grid: 4 methods x 5 seeds) and prints the table.
        """;

    /// <summary>The project folder recorded at build time (data and cache default to folders in it).</summary>
    public static string ProjectDirectory =>
        typeof(CreditRiskOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? AppContext.BaseDirectory;

    /// <summary>Folder of the harmonised Parquet files (written by prepare-data, ignored by git).</summary>
    [Hyperparameter(Description = "folder of the harmonised Parquet files (prepare-data writes them; training does on first use)")]
    public string DataDir { get; init; } = Path.Combine(ProjectDirectory, "data");

    /// <summary>Folder of the downloaded Debian packages (ignored by git).</summary>
    [Hyperparameter(Description = "folder of the downloaded Debian packages")]
    public string CacheDir { get; init; } = Path.Combine(ProjectDirectory, ".cache");

    /// <summary>The dataset the base model is pretrained on.</summary>
    [Hyperparameter(Description = "dataset the base model is pretrained on", Allowed = new[] { CreditSources.LendingClub, CreditSources.CreditData, CreditSources.GermanCredit })]
    public string Source { get; init; } = CreditSources.CreditData;

    /// <summary>The dataset the model is adapted to and tested on.</summary>
    [Hyperparameter(Description = "dataset the model is adapted to and tested on", Allowed = new[] { CreditSources.LendingClub, CreditSources.CreditData, CreditSources.GermanCredit })]
    public string Target { get; init; } = CreditSources.GermanCredit;

    /// <summary>How the target model is obtained.</summary>
    [Hyperparameter(Description = "lora, full (fine-tune everything), scratch (target data only) or head (head only)", Sweep = new[] { "Lora", "Full", "Scratch", "Head" })]
    public AdaptationMethod Method { get; init; } = AdaptationMethod.Lora;

    /// <summary>Seed of weight init, dropout, splits and data order.</summary>
    [Hyperparameter(Description = "seed of init, dropout, splits and data order (declared here, taking over the runner's --seed, to be swept)", Sweep = new[] { "1", "2", "3", "4", "5" })]
    public int Seed { get; init; } = 1;

    /// <summary>LibTorch CPU threads; declared here (taking over the runner's --threads) to default to one.</summary>
    [Hyperparameter(Description = "LibTorch CPU threads (one is fastest for this small model: more threads cost more in synchronisation than they gain)", Min = 1, Max = 1024)]
    public int Threads { get; init; } = 1;

    /// <summary>Width of both hidden layers.</summary>
    [Hyperparameter(Description = "width of the hidden layers", Min = 1, Max = 65536)]
    public int HiddenSize { get; init; } = 256;

    /// <summary>Dropout after each hidden layer.</summary>
    [Hyperparameter(Description = "dropout after each hidden layer, in [0, 1)", Min = 0, Max = 0.999999)]
    public double DropoutRate { get; init; } = 0.1;

    /// <summary>Epochs of the base model's training on the source.</summary>
    [Hyperparameter(Description = "base model epochs on the source", Min = 1, Max = 100_000)]
    public int PretrainEpochs { get; init; } = 30;

    /// <summary>Learning rate of the base model's training.</summary>
    [Hyperparameter(Description = "base model learning rate", Min = 1e-8, Max = 10)]
    public double PretrainLearningRate { get; init; } = 1e-3;

    /// <summary>Epochs on the target's training rows.</summary>
    [Hyperparameter(Description = "epochs on the target's training rows (every method)", Min = 1, Max = 100_000)]
    public int Epochs { get; init; } = 40;

    /// <summary>Learning rate on the target; unset takes the method's default.</summary>
    [Hyperparameter(Description = "learning rate on the target (unset: 3e-3 for lora, head and scratch, 1e-3 for full)", Min = 1e-8, Max = 10)]
    public double? LearningRate { get; init; }

    /// <summary>Rows per step.</summary>
    [Hyperparameter(Description = "rows per step", Min = 1, Max = 1_000_000)]
    public int BatchSize { get; init; } = 64;

    /// <summary>AdamW weight decay.</summary>
    [Hyperparameter(Description = "AdamW weight decay", Min = 0, Max = 10)]
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Validation checks without improvement of ROC AUC before a phase stops; 0 never stops early.</summary>
    [Hyperparameter(Description = "stop after N epochs without a better validation ROC AUC (0 = never); the best epoch's weights are kept", Min = 0, Max = 1_000_000)]
    public int Patience { get; init; } = 8;

    /// <summary>Share of the target held out for testing.</summary>
    [Hyperparameter(Description = "share of the target loans held out as the test set (stratified)", Min = 0.05, Max = 0.9)]
    public double TestFraction { get; init; } = 0.3;

    /// <summary>Cap on the target training rows, to study scarce target data; unset uses them all.</summary>
    [Hyperparameter(Description = "use at most N target training rows (unset: all)", Min = 10, Max = 10_000_000)]
    public int? TargetTrainRows { get; init; }

    /// <summary>The precision at which recall of bad loans is reported.</summary>
    [Hyperparameter(Description = "precision at which the recall of bad loans is reported", Min = 0.01, Max = 1)]
    public double MinPrecision { get; init; } = 0.5;

    /// <summary>Overrides the attributes' LoRA rank when set.</summary>
    [Hyperparameter(Description = "LoRA rank for every adapter (unset: the attributes' value, 4)", Min = 1, Max = 4096)]
    public int? Rank { get; init; }

    /// <summary>Overrides the attributes' LoRA alpha when set.</summary>
    [Hyperparameter(Description = "LoRA alpha for every adapter (unset: the attributes' value, 8)", Min = 1e-8, Max = 1e6)]
    public double? Alpha { get; init; }

    /// <summary>The attribute overrides these options ask for.</summary>
    public AdapterOverrides AdapterOverrides => new(Rank, Alpha, null);

    /// <summary>The learning rate on the target for the chosen method.</summary>
    public double TargetLearningRate => LearningRate ?? (Method == AdaptationMethod.Full ? 1e-3 : 3e-3);

    /// <summary>The datasets the run reads.</summary>
    [Dataset]
    public string Dataset => $"{CreditDataPreparation.PathOf(DataDir, Source)};{CreditDataPreparation.PathOf(DataDir, Target)}";

    /// <summary>A fresh, untrained classifier of the configured width.</summary>
    [Model]
    public CreditRiskClassifier CreateModel() => new(Data.CreditFeatureEncoder.InputCount, HiddenSize, DropoutRate);
}
