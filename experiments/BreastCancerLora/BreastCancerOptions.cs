namespace BreastCancerLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using PeftSharp;
using PeftSharp.Training;

/// <summary>The experiment's hyperparameters, with the defaults that the README's command runs.</summary>
public sealed record BreastCancerOptions
{
    /// <summary>Parquet dataset; created from the bundled CSV when it does not exist.</summary>
    public string DataPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.parquet");

    /// <summary>MLflow experiment the run is recorded in.</summary>
    public string ExperimentName { get; init; } = "breast-cancer-lora";

    /// <summary>Seed of weight init, dropout, splits and data order.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Width of both hidden layers.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Full-training epochs of the base model on site A.</summary>
    public int PretrainEpochs { get; init; } = 60;

    /// <summary>Learning rate of the base model's training.</summary>
    public double PretrainLearningRate { get; init; } = 1e-3;

    /// <summary>LoRA adaptation epochs on site B.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Learning rate of the adaptation.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Rows per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Optimizer steps of linear learning-rate warm-up in the adaptation.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Validation evaluations without improvement before the adaptation stops; 0 never stops early.</summary>
    public int Patience { get; init; }

    /// <summary>Where adaptation checkpoints and the final adapter go (default: checkpoints/&lt;run id&gt;).</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Save a checkpoint every this many steps (besides the last step and an interruption).</summary>
    public int? CheckpointEverySteps { get; init; }

    /// <summary>A checkpoint folder to continue the adaptation from.</summary>
    public string? Resume { get; init; }

    /// <summary>Overrides the attributes' LoRA rank when set.</summary>
    public int? Rank { get; init; }

    /// <summary>Overrides the attributes' LoRA alpha when set.</summary>
    public double? Alpha { get; init; }

    /// <summary>Overrides the attributes' LoRA dropout when set.</summary>
    public double? Dropout { get; init; }

    /// <summary>The command-line help text.</summary>
    public static string Help { get; } = """
        Usage: dotnet run --project experiments/BreastCancerLora -- [command] [options]

        Trains a tumour classifier on one patient subgroup (site A: smaller tumours), then adapts it with LoRA to
        another (site B: larger tumours) and records the run in MLflow (./mlruns unless MLFLOW_TRACKING_URI is set).

        Commands:
          (none)                     train and record the run
          prepare-data               only convert the bundled CSV to Parquet (--data sets the output)
          compare                    compare recorded runs (compare --help)
          sync                       push a local mlruns/ store or the offline spool to a server (sync --help)
          import                     convert CSV, JSON Lines or ARFF to Parquet (import --help)

        Options:
          --data PATH                Parquet dataset (default: next to the program; created from the bundled CSV)
          --experiment-name NAME     MLflow experiment (default: breast-cancer-lora)
          --seed N                   seed of init, dropout, splits and data order (default: 42)
          --device auto|cpu|cuda     where to train (default: auto = CUDA when available)
          --hidden-size N            width of the hidden layers (default: 128)
          --pretrain-epochs N        base model epochs on site A (default: 60)
          --pretrain-learning-rate X base model learning rate (default: 0.001)
          --epochs N                 LoRA epochs on site B (default: 60)
          --learning-rate X          LoRA learning rate (default: 0.003)
          --batch-size N             rows per step (default: 32)
          --weight-decay X           AdamW weight decay (default: 0.01)
          --warmup-steps N           learning-rate warm-up steps of the adaptation (default: 0)
          --patience N               stop after N validation checks without improvement (default: 0 = never)
          --checkpoint-dir PATH      checkpoints and the final adapter (default: checkpoints/<run id>)
          --checkpoint-every N       also checkpoint every N steps (default: only at the end and on Ctrl-C)
          --resume PATH              continue the adaptation from a checkpoint folder (Ctrl-C prints it)
          --rank N                   LoRA rank for every adapter (default: the attributes' value, 4)
          --alpha X                  LoRA alpha for every adapter (default: the attributes' value, 8)
          --dropout X                LoRA dropout in [0, 1) (default: the attributes' value, 0)
          --help                     show this text
        """;

    /// <summary>The attribute overrides these options ask for.</summary>
    public AdapterOverrides AdapterOverrides => new(Rank, Alpha, Dropout);

    /// <summary>Reads options from the command line, naming any invalid or unknown option.</summary>
    public static BreastCancerOptions Parse(CommandLineArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var defaults = new BreastCancerOptions();
        var options = new BreastCancerOptions
        {
            DataPath = args.GetString("data", defaults.DataPath)!,
            ExperimentName = args.GetString("experiment-name", defaults.ExperimentName)!,
            Seed = args.GetInt("seed", defaults.Seed),
            Device = args.GetString("device", defaults.Device)!,
            HiddenSize = args.GetInt("hidden-size", defaults.HiddenSize, 1, 65536),
            PretrainEpochs = args.GetInt("pretrain-epochs", defaults.PretrainEpochs, 1, 100_000),
            PretrainLearningRate = args.GetDouble("pretrain-learning-rate", defaults.PretrainLearningRate, 1e-8, 10),
            Epochs = args.GetInt("epochs", defaults.Epochs, 1, 100_000),
            LearningRate = args.GetDouble("learning-rate", defaults.LearningRate, 1e-8, 10),
            BatchSize = args.GetInt("batch-size", defaults.BatchSize, 1, 1_000_000),
            WeightDecay = args.GetDouble("weight-decay", defaults.WeightDecay, 0, 10),
            WarmupSteps = args.GetInt("warmup-steps", defaults.WarmupSteps, 0, 1_000_000),
            Patience = args.GetInt("patience", defaults.Patience, 0, 1_000_000),
            CheckpointDirectory = args.GetString("checkpoint-dir"),
            CheckpointEverySteps = args.HasFlag("checkpoint-every") ? args.GetInt("checkpoint-every", 0, 1, 1_000_000) : null,
            Resume = args.GetString("resume"),
            Rank = args.HasFlag("rank") ? args.GetInt("rank", 0, 1, 4096) : null,
            Alpha = args.HasFlag("alpha") ? args.GetDouble("alpha", 0, 1e-8, 1e6) : null,
            Dropout = args.HasFlag("dropout") ? args.GetDouble("dropout", 0, 0, 0.999999) : null,
        };
        args.HasFlag("help");
        args.ThrowOnUnknown();
        return options;
    }

    /// <summary>The resolved hyperparameters as MLflow params.</summary>
    public IReadOnlyDictionary<string, string> ToParams() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["device"] = Device,
        ["hidden_size"] = HiddenSize.ToString(CultureInfo.InvariantCulture),
        ["pretrain_epochs"] = PretrainEpochs.ToString(CultureInfo.InvariantCulture),
        ["pretrain_learning_rate"] = PretrainLearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["learning_rate"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["warmup_steps"] = WarmupSteps.ToString(CultureInfo.InvariantCulture),
        ["patience"] = Patience.ToString(CultureInfo.InvariantCulture),
    };
}
