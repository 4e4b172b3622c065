namespace KeywordSpottingLora;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using KeywordSpottingLora.Data;
using PeftSharp;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Runner;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Keyword spotting adapted across accents. The base CNN is trained on the source accents (or loaded from the cache,
/// where a base trained with the same data, settings and seed is kept so a sweep trains it once), measured on the
/// target accent's test voices, then adapted by the chosen method on the target accent's adaptation voices and
/// measured again.
/// </summary>
public static class KeywordExperiment
{
    /// <summary>The project folder recorded at build time (data and cache default to folders in it).</summary>
    public static string ProjectDirectory =>
        typeof(KeywordExperiment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? AppContext.BaseDirectory;

    /// <summary>The <c>prepare-data</c> command: generate (or confirm) the cached Parquet files only.</summary>
    public static ExperimentCommand<KeywordOptions> PrepareData { get; } = new(
        "prepare-data", "synthesize the keywords with espeak-ng and write the Parquet files (cached)", async (options, output, cancellationToken) =>
        {
            var took = await KeywordCorpus.EnsureAsync(options.Corpus, options.DataDirectory, options.CacheDirectory, output, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Data ready in {Path.GetFullPath(options.DataDirectory)} ({took.TotalSeconds:F1} s).").ConfigureAwait(false);
            return 0;
        });

    /// <summary>One run through the runner (see the class summary).</summary>
    public static async Task<KeywordResult> TrainAsync(KeywordOptions options, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var output = context.Output;
        var plan = options.Corpus;
        var method = options.AdaptationMethod();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var generation = await KeywordCorpus.EnsureAsync(plan, options.DataDirectory, options.CacheDirectory, output, context.CancellationToken).ConfigureAwait(false);
        var data = await KeywordData.LoadAsync(plan, options.DataDirectory, context.Seed, context.CancellationToken).ConfigureAwait(false);
        foreach (var record in data.Records)
        {
            context.LogDataset(record);
        }

        context.Run.LogParams(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["data.synthetic"] = "espeak-ng " + data.EspeakVersion,
            ["data.source_accents"] = string.Join(",", plan.SourceAccents),
            ["data.target_accent"] = plan.TargetAccent,
            ["data.target_adaptation_voices"] = string.Join(",", plan.TargetAdaptationVariants),
            ["data.rows"] = Invariant($"source {data.SourceTrain.Count}+{data.SourceValidation.Count}, target {data.TargetTrain.Count}+{data.TargetValidation.Count}, test {data.TargetTest.Count}"),
            ["features"] = Invariant($"log-mel {plan.Features.MelBins}x{plan.Frames} (FFT {plan.Features.FftSize}, hop {plan.Features.HopLength}, {plan.Features.SampleRate} Hz)"),
        });
        context.Run.LogMetric("time/data_s", generation.TotalSeconds, 0);
        await output.WriteLineAsync(
            $"SYNTHETIC speech (espeak-ng {data.EspeakVersion}): {plan.Keywords.Count} keywords; source accents {string.Join(", ", plan.SourceAccents)}: {data.SourceTrain.Count} training clips; "
            + $"target {plan.TargetAccent}: {data.TargetTrain.Count} adaptation clips, {data.TargetTest.Count} test clips of other voices.").ConfigureAwait(false);

        using var model = options.CreateModel();
        var (sourceValidation, baseNote) = await PretrainedBaseAsync(options, plan, data, model, context).ConfigureAwait(false);
        var before = ClassifierEvaluation.Evaluate(model, data.TargetTest, context.Device);
        context.Run.LogMetric("pretrain/source_validation_accuracy", sourceValidation, 0);
        context.Run.LogMetric("test/accuracy_before_adaptation", before.Accuracy, 0);
        await output.WriteLineAsync($"Base model ({baseNote}): source validation {sourceValidation:P1}, {plan.TargetAccent} test {before.Accuracy:P1} before adaptation.").ConfigureAwait(false);

        using var scratch = method == AdaptationMethod.Scratch ? options.CreateModel() : null;
        var adapted = scratch ?? model;
        IReadOnlyList<AdapterTarget> adapters = [];
        if (method == AdaptationMethod.Lora)
        {
            adapters = model.ApplyAdapters(new AdapterOverrides(options.Rank));
        }

        context.PlaceModel(adapted);
        var report = context.LogModel(adapted, options.Method, adapters);
        await output.WriteLineAsync($"Adapting with {method}: {report}").ConfigureAwait(false);
        var trainerOptions = KeywordTraining.Options(options.ResolvedEpochs(), options.ResolvedLearningRate(), options.WeightDecay);
        var outcome = context.Fit(
            trainerOptions, adapted, new TabularBatches(data.TargetTrain, options.BatchSize, context.Seed, context.Device),
            b => KeywordTraining.Loss(adapted, b), KeywordTraining.Evaluator(adapted, data.TargetValidation, context.Device));
        var after = ClassifierEvaluation.Evaluate(adapted, data.TargetTest, context.Device);
        context.LogFinalMetrics(
            new Dictionary<string, double>
            {
                [RunNames.TestAccuracy] = after.Accuracy,
                [RunNames.TestLoss] = after.Loss,
                ["time/total_cpu_s"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
            },
            outcome.Steps);
        if (method == AdaptationMethod.Lora)
        {
            var folder = context.SaveAdapter(model, adapters, model.TrainableModules);
            await output.WriteLineAsync($"LoRA adapter saved in PEFT format: {folder}").ConfigureAwait(false);
        }

        await output.WriteLineAsync(
            $"{plan.TargetAccent} test accuracy: {before.Accuracy:P1} before -> {after.Accuracy:P1} after {method} "
            + $"({report.Trainable:N0} of {report.Total:N0} parameters trained). Run {context.Run.RunId}.").ConfigureAwait(false);
        return new KeywordResult(method, sourceValidation, before.Accuracy, after.Accuracy, report.Trainable, report.Total);
    }

    /// <summary>
    /// Trains the base on the source accents, or loads the one a run with the same data, settings and seed saved.
    /// Returns its source validation accuracy and where it came from.
    /// </summary>
    private static async Task<(double Accuracy, string Note)> PretrainedBaseAsync(KeywordOptions options, CorpusPlan plan, KeywordData data, KeywordCnn model, RunContext context)
    {
        var key = string.Join("|", data.Records.Select(r => r.Digest).Append(Invariant(
            $"{options.Width}|{options.PretrainEpochs}|{options.PretrainLearningRate}|{options.PretrainBatchSize}|{options.WeightDecay}|{context.Seed}|{context.Device.type}")));
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        // Kept beside the data it was trained on: new data gives new digests, and deleting the data folder drops the bases.
        var path = Path.Combine(options.DataDirectory, "bases", $"keyword-cnn-{digest}.bin");
        context.Run.LogParams(new Dictionary<string, string>(StringComparer.Ordinal) { ["pretrained_base"] = digest });
        model.to(context.Device);
        string note;
        if (File.Exists(path))
        {
            model.load(path);
            note = $"loaded from {path}";
        }
        else
        {
            await context.Output.WriteLineAsync($"Pretraining the base on {string.Join(", ", plan.SourceAccents)} ({data.SourceTrain.Count} clips, {options.PretrainEpochs} epochs) ...").ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            context.FitPhase(
                "pretrain/", KeywordTraining.Options(options.PretrainEpochs, options.PretrainLearningRate, options.WeightDecay), model,
                new TabularBatches(data.SourceTrain, options.PretrainBatchSize, context.Seed, context.Device),
                b => KeywordTraining.Loss(model, b), KeywordTraining.Evaluator(model, data.SourceValidation, context.Device));
            context.Run.LogMetric("time/pretrain_s", clock.Elapsed.TotalSeconds, 0);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            model.save(temporary);
            File.Move(temporary, path, overwrite: true);
            note = $"trained in {clock.Elapsed.TotalSeconds:F0} s, cached as {path}";
        }

        return (ClassifierEvaluation.Evaluate(model, data.SourceValidation, context.Device).Accuracy, note);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
