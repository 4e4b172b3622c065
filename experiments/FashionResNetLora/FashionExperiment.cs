namespace FashionResNetLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FashionResNetLora.Data;
using PeftSharp;
using PeftSharp.Data;
using PeftSharp.Models.Vision;
using PeftSharp.Tracking;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Optimization;
using PeftSharp.Training.Runner;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Adapts ML.NET's ImageNet ResNet-18 to Fashion-MNIST with one of four methods (<see cref="FineTuningMethod"/>) on the
/// same class-balanced subset, and records accuracy, trainable parameters, step time and peak memory in MLflow.
/// </summary>
public static class FashionExperiment
{
    /// <summary>Every convolution of the backbone: the LoRA targets.</summary>
    public const string ConvolutionPattern = @"backbone\..*(conv\d|downsample\.0)$";

    /// <summary>Images per evaluation batch.</summary>
    private const int EvaluationBatchSize = 100;

    /// <summary>The experiment's own command: only fetch the data and write the Parquet subsets.</summary>
    public static ExperimentCommand<FashionOptions> PrepareData { get; } = new(
        "prepare-data",
        "only fetch dataset-fashion-mnist (apt-get download, cached) and write the Parquet subsets",
        async (options, output, cancellationToken) =>
        {
            await PrepareAsync(options, output, cancellationToken).ConfigureAwait(false);
            return 0;
        });

    /// <summary>
    /// Trains one run in <paramref name="context"/>: prepares the data, builds the classifier for the method, trains
    /// (validation after every epoch), evaluates on the test images, saves the LoRA adapter in PEFT's format.
    /// </summary>
    public static async Task<FashionResult> TrainAsync(FashionOptions options, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var output = context.Output;
        var device = context.Device;
        var files = await PrepareAsync(options, output, context.CancellationToken).ConfigureAwait(false);
        var train = await OpenAsync("fashion-mnist-train", files.Train, context).ConfigureAwait(false);
        var validation = await OpenAsync("fashion-mnist-validation", files.Validation, context).ConfigureAwait(false);
        var test = await OpenAsync("fashion-mnist-test", files.Test, context).ConfigureAwait(false);
        context.Run.SetTag(SystemTags.Note, "ML.NET's ImageNet ResNet-18 adapted to Fashion-MNIST: LoRA on the convolutions vs. linear probe, full fine-tuning, training from scratch.");

        using var model = Build(options, context.Seed);
        var peft = options.Method == FineTuningMethod.Lora ? ApplyLora(model, options) : null;
        context.PlaceModel(model);
        var report = peft is null ? context.LogModel(model, MethodName(options.Method)) : context.LogModel(peft, MethodName(options.Method));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{Describe(options.Method)}: {report}; {train.RowCount} training images at {options.InputSize}x{options.InputSize}, {options.Epochs} epoch(s), learning rate {options.EffectiveLearningRate:G3}, {device}")).ConfigureAwait(false);

        var outcome = context.Fit(
            new TrainerOptions
            {
                Epochs = options.Epochs,
                LearningRate = options.EffectiveLearningRate,
                WeightDecay = options.WeightDecay,
                Decay = DecayKind.Cosine,
                WarmupSteps = 10,
            },
            model,
            new FashionBatches(train, options.BatchSize, context.Seed, device),
            batch => nn.functional.cross_entropy(model.call(batch[FashionMnist.ImageColumn]), batch[FashionMnist.LabelColumn]),
            () =>
            {
                var metrics = ClassifierMetrics.Evaluate(model, validation, EvaluationBatchSize, device);
                return new Dictionary<string, double>(StringComparer.Ordinal) { ["eval/accuracy"] = metrics.Accuracy, ["eval/loss"] = metrics.Loss };
            });

        var result = ClassifierMetrics.Evaluate(model, test, EvaluationBatchSize, device);
        context.LogFinalMetrics(
            new Dictionary<string, double>(StringComparer.Ordinal) { [RunNames.TestAccuracy] = result.Accuracy, [RunNames.TestLoss] = result.Loss },
            outcome.Steps);
        var adapter = peft is null ? null : context.SaveAdapter(peft);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

            {Describe(options.Method)}: test accuracy {result.Accuracy:P1} on {result.Count} Fashion-MNIST test images (loss {result.Loss:F3})
            Trained {report}; best validation accuracy {outcome.BestValue:P1} at step {outcome.BestStep} of {outcome.Steps}
            """)).ConfigureAwait(false);
        if (adapter is not null)
        {
            await output.WriteLineAsync($"LoRA adapter (PEFT format) saved in {Path.GetFullPath(adapter)}").ConfigureAwait(false);
        }

        return new FashionResult(options.Method, result, report, outcome);
    }

    /// <summary>The classifier for <paramref name="options"/>'s method, on the CPU: pretrained backbone, or random for scratch.</summary>
    public static FashionClassifier Build(FashionOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        var backbone = ResNet18ImageNet.Load();
        if (options.Method == FineTuningMethod.Scratch)
        {
            Reinitialise(backbone, seed);
        }

        var model = new FashionClassifier(backbone, FashionMnist.ClassCount, options.InputSize);
        if (options.Method == FineTuningMethod.Probe)
        {
            foreach (var parameter in backbone.parameters())
            {
                parameter.requires_grad = false;
            }
        }

        // Methods that keep the base frozen keep its ImageNet BatchNorm statistics too.
        model.FreezeBatchNormStatistics = options.Method is FineTuningMethod.Probe or FineTuningMethod.Lora;
        return model;
    }

    /// <summary>Wraps every convolution of the backbone with LoRA; the head trains fully; everything else is frozen.</summary>
    public static PeftModel ApplyLora(FashionClassifier model, FashionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PeftModel.Create(model, new LoraConfig
        {
            R = options.Rank,
            LoraAlpha = options.Alpha,
            TargetModules = TargetModules.Regex(ConvolutionPattern),
            ModulesToSave = ["head"],
        });
    }

    private static async Task<SubsetFiles> PrepareAsync(FashionOptions options, TextWriter output, System.Threading.CancellationToken cancellationToken) =>
        await FashionMnist.PrepareAsync(
            options.DataDirectory ?? ExperimentPaths.DefaultDataDirectory,
            options.CacheDirectory ?? ExperimentPaths.DefaultCacheDirectory,
            options.Sizes,
            output,
            cancellationToken).ConfigureAwait(false);

    private static async Task<ParquetDataset> OpenAsync(string name, string path, RunContext context)
    {
        var dataset = await ParquetDataset.OpenAsync(FashionMnist.Spec(name, path), cancellationToken: context.CancellationToken).ConfigureAwait(false);
        await dataset.ValidateAsync(cancellationToken: context.CancellationToken).ConfigureAwait(false);
        context.LogDataset(await dataset.DescribeAsync(context.CancellationToken).ConfigureAwait(false), name.EndsWith("train", StringComparison.Ordinal) ? "training" : name[(name.LastIndexOf('-') + 1)..]);
        return dataset;
    }

    /// <summary>
    /// Random weights as torchvision initialises a ResNet (Kaiming normal, fan-out, for convolutions; BatchNorm 1 and 0,
    /// fresh statistics). The mean image stays: it is preprocessing, not learned.
    /// </summary>
    private static void Reinitialise(CntkResNet backbone, int seed)
    {
        manual_seed(seed);
        using var noGrad = no_grad();
        foreach (var module in backbone.modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    norm.reset_running_stats();
                    break;
            }
        }
    }

    // As the bound hyperparameter logs it (the runner refuses a second, different value of the "method" param).
    private static string MethodName(FineTuningMethod method) => method.ToString();

    private static string Describe(FineTuningMethod method) => method switch
    {
        FineTuningMethod.Lora => "LoRA on every convolution + new head",
        FineTuningMethod.Probe => "Linear probe on frozen features",
        FineTuningMethod.Full => "Full fine-tuning",
        _ => "Training from scratch (random init)",
    };
}
