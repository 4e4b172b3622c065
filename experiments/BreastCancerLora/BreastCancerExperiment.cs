namespace BreastCancerLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data;
using PeftSharp.Tracking;
using System.Text.Json;
using PeftSharp;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Experiments;
using PeftSharp.Training.Metrics;
using PeftSharp.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Domain adaptation with LoRA on tabular medical data. A classifier is fully trained on one patient subgroup
/// (site A: tumours with mean area at or below the median), then adapted to the other subgroup (site B) by training
/// only LoRA adapters and the head on half of site B; the other half measures the effect.
/// </summary>
public static class BreastCancerExperiment
{
    /// <summary>The subgroup split: rows at or below the median of this feature are site A.</summary>
    public const string SiteFeature = "mean_area";

    /// <summary>The command-line entry point. Returns the process exit code.</summary>
    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        // The shared commands of every PeftSharp experiment: compare and sync runs, import data.
        if (args.Count > 0 && args[0] is "compare" or "sync")
        {
            return await TrackingCommands.RunAsync(args[0], args.Skip(1).ToList(), output, error).ConfigureAwait(false);
        }

        if (args.Count > 0 && args[0] == "import")
        {
            return await DataCommands.RunAsync(args[0], args.Skip(1).ToList(), output, error).ConfigureAwait(false);
        }

        // "prepare-data" is this experiment's own command; everything after it (or all of args) are the options,
        // which the generated binding reads, validates and documents (--help).
        var prepareDataOnly = args.Count > 0 && args[0] == "prepare-data";
        var options = prepareDataOnly ? args.Skip(1).ToList() : args;
        if (options.Count > 0 && !options[0].StartsWith('-'))
        {
            await error.WriteLineAsync($"error: Unknown command '{options[0]}'. Commands: prepare-data, compare, sync, import (or none to train).\nRun with --help for the options.").ConfigureAwait(false);
            return ExperimentHost.UsageError;
        }

        return await ExperimentHost.RunAsync<BreastCancerOptions>(
            options, o => RunCommandAsync(o, prepareDataOnly, output, error), output, error).ConfigureAwait(false);
    }

    private static async Task<int> RunCommandAsync(BreastCancerOptions options, bool prepareDataOnly, TextWriter output, TextWriter error)
    {
        try
        {
            if (prepareDataOnly)
            {
                await BreastCancerData.ConvertCsvToParquetAsync(BreastCancerData.BundledCsv, options.DataPath).ConfigureAwait(false);
                await output.WriteLineAsync($"Wrote {Path.GetFullPath(options.DataPath)}").ConfigureAwait(false);
                return 0;
            }

            var tracking = TrackingClients.FromEnvironment();
            try
            {
                var result = await RunAsync(options, tracking, output).ConfigureAwait(false);
                return result.SiteBAfter.Rows > 0 ? 0 : 1;
            }
            finally
            {
                // A server client spools to disk and delivers in the background: disposing flushes it.
                (tracking as IDisposable)?.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
            // 128 + SIGINT, as shells report a program that Ctrl-C stopped.
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// Runs the experiment end to end and records it through <paramref name="tracking"/>. Cancelling
    /// <paramref name="cancellationToken"/> (Ctrl-C in the program) stops after the current step, saves a checkpoint that
    /// <see cref="BreastCancerOptions.Resume"/> continues from, and ends the run KILLED.
    /// </summary>
    public static async Task<BreastCancerResult> RunAsync(
        BreastCancerOptions options, ITrackingClient tracking, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tracking);
        ArgumentNullException.ThrowIfNull(output);

        if (!File.Exists(options.DataPath))
        {
            await output.WriteLineAsync($"Converting the bundled CSV to {options.DataPath}").ConfigureAwait(false);
            await BreastCancerData.ConvertCsvToParquetAsync(BreastCancerData.BundledCsv, options.DataPath, cancellationToken).ConfigureAwait(false);
        }

        var data = await ParquetTabularReader.ReadAsync(options.DataPath, BreastCancerData.Columns, cancellationToken).ConfigureAwait(false);
        var fingerprint = DatasetFingerprint.Compute(options.DataPath, BreastCancerData.Columns, data.Count);
        var device = TorchDevices.Resolve(options.Device);
        var sites = SplitSites(data, options.Seed);

        // Standardise with site A training statistics: the "pretrained model's preprocessing" that site B inherits.
        var scaler = FeatureScaler.Fit(sites.ATrain);
        var aTrain = scaler.Transform(sites.ATrain);
        var aTest = scaler.Transform(sites.ATest);
        var bTrain = scaler.Transform(sites.BTrain);
        var bValidation = scaler.Transform(sites.BValidation);
        var bTest = scaler.Transform(sites.BTest);

        using var run = TrackedRun.Start(tracking, options.ExperimentName, $"lora-seed{options.Seed}");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupt = run.KillOnInterrupt(cancel);
        using var systemMetrics = run.StartSystemMetrics();
        run.SetTag("mlflow.note.content", "LoRA adaptation of a tumour classifier from small tumours (site A) to large tumours (site B), Wisconsin breast cancer data.");
        if (options.Resume is not null)
        {
            run.SetTag("peftsharp.resumed_from", Path.GetFullPath(options.Resume));
        }

        var parameters = new SortedDictionary<string, string>(options.ToParameters().ToDictionary(), StringComparer.Ordinal)
        {
            ["device_resolved"] = device.ToString(),
            ["dataset.source"] = fingerprint.Source,
            ["dataset.digest"] = fingerprint.Digest,
            ["dataset.rows"] = Invariant(fingerprint.Rows),
            ["site_split"] = $"{SiteFeature} <= median is site A",
            ["site_a.train_rows"] = Invariant(aTrain.Count),
            ["site_a.test_rows"] = Invariant(aTest.Count),
            ["site_b.train_rows"] = Invariant(bTrain.Count),
            ["site_b.validation_rows"] = Invariant(bValidation.Count),
            ["site_b.test_rows"] = Invariant(bTest.Count),
        };
        run.LogParams(parameters);
        run.LogInputs(new DatasetInput(
            "breast_cancer", fingerprint.Digest, "local", JsonSerializer.Serialize(new { uri = fingerprint.Source }),
            Profile: JsonSerializer.Serialize(new { num_rows = fingerprint.Rows })));
        var sink = new RunMetricSink(run);

        Reproducibility.Seed(options.Seed);
        using var model = new TumourClassifier(data.FeatureCount, options.HiddenSize, data.ClassCount);
        model.to(device);

        // Pretraining is not checkpointed: from the seed it is recomputed exactly, also when a run resumes.
        await output.WriteLineAsync($"Pretraining on site A ({aTrain.Count} rows, {device}), {ParameterReport.Of(model)}").ConfigureAwait(false);
        var pretrainer = new Trainer(
            new TrainerOptions { Epochs = options.PretrainEpochs, LearningRate = options.PretrainLearningRate, WeightDecay = options.WeightDecay, Decay = DecayKind.Constant },
            new PrefixedMetricSink(sink, "pretrain/"));
        pretrainer.Fit(model, new TabularBatches(aTrain, options.BatchSize, options.Seed, device), b => Loss(model, b), cancellationToken: cancel.Token);
        var siteATest = ClassifierEvaluation.Evaluate(model, aTest, device);
        var before = ClassifierEvaluation.Evaluate(model, bTest, device);
        run.LogMetric("pretrain/site_a_test_accuracy", siteATest.Accuracy, 0);
        run.LogMetric("test/accuracy_before_adaptation", before.Accuracy, 0);

        var plan = model.ApplyAdapters(options.AdapterOverrides);
        var report = ParameterReport.Of(model);
        var planParams = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["trainable_params"] = Invariant(report.Trainable),
            ["total_params"] = Invariant(report.Total),
            ["trainable_modules"] = string.Join(",", model.TrainableModules),
        };
        foreach (var target in plan)
        {
            planParams[$"adapter.{target.ModulePath}"] = string.Create(
                CultureInfo.InvariantCulture, $"{target.Method} r={target.Rank} alpha={target.Alpha} dropout={target.Dropout}");
        }

        run.LogParams(planParams);
        await output.WriteLineAsync($"Adapting to site B ({bTrain.Count} rows) with LoRA on {string.Join(", ", plan.Select(p => p.ModulePath))}: {report}").ConfigureAwait(false);
        var checkpoints = options.CheckpointDirectory ?? Path.Combine("checkpoints", run.RunId);
        var trainer = new Trainer(
            new TrainerOptions
            {
                Epochs = options.Epochs,
                LearningRate = options.LearningRate,
                WeightDecay = options.WeightDecay,
                WarmupSteps = options.WarmupSteps,
                EarlyStoppingPatience = options.Patience,
                CheckpointDirectory = checkpoints,
                CheckpointEverySteps = options.CheckpointEverySteps,
            },
            sink);
        var outcome = trainer.Fit(
            model,
            new TabularBatches(bTrain, options.BatchSize, options.Seed, device),
            b => Loss(model, b),
            () => EvaluateClassifier(model, bValidation, device),
            options.Resume,
            cancel.Token);

        if (outcome.Reason == StopReason.Cancelled)
        {
            run.End(RunStatus.Killed);
            await output.WriteLineAsync($"""

                Interrupted at step {outcome.Steps}; run {run.RunId} marked KILLED.
                Checkpoint: {outcome.LastCheckpoint}
                Continue with: dotnet run --project experiments/BreastCancerLora -- --resume {outcome.LastCheckpoint}
                """).ConfigureAwait(false);
            throw new OperationCanceledException($"Training was interrupted at step {outcome.Steps}.", cancel.Token);
        }

        var after = ClassifierEvaluation.Evaluate(model, bTest, device);
        run.LogMetric("test/accuracy", after.Accuracy, outcome.Steps);
        run.LogMetric("test/loss", after.Loss, outcome.Steps);

        // The adapter in Hugging Face PEFT's format, loadable by Python's PEFT, as the run's artifact.
        var adapterDirectory = Path.Combine(checkpoints, "adapter");
        PeftModel.FromAppliedPlan(model, plan, model.TrainableModules).SaveAdapters(adapterDirectory);
        foreach (var file in Directory.GetFiles(adapterDirectory))
        {
            run.LogArtifact(file, "adapter");
        }

        run.End(RunStatus.Finished);

        var runDirectory = tracking is MlflowFileStore store ? Path.Combine(store.RootDirectory, run.Info.ExperimentId, run.RunId) : null;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

            Site A test accuracy (pretrained):           {siteATest.Accuracy:P1} of {siteATest.Rows} tumours
            Site B test accuracy before adaptation:      {before.Accuracy:P1} of {before.Rows} tumours
            Site B test accuracy after LoRA adaptation:  {after.Accuracy:P1} ({report})
            Best validation accuracy {outcome.BestValue:P1} at step {outcome.BestStep} of {outcome.Steps}; adapter saved in {Path.GetFullPath(adapterDirectory)}
            """)).ConfigureAwait(false);
        if (tracking is MlflowFileStore fileStore)
        {
            await output.WriteLineAsync($"""
                Run {run.RunId} recorded in {runDirectory}
                Look at it: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri {fileStore.RootDirectory}
                """).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"Run {run.RunId} recorded in MLflow experiment '{options.ExperimentName}'.").ConfigureAwait(false);
        }

        return new BreastCancerResult(run.RunId, runDirectory, siteATest, before, after, report);
    }

    /// <summary>
    /// Splits rows into site A (feature at or below its median) and site B, each stratified: site A 80/20 into train
    /// and test; site B 50/50 into adaptation and test rows, the adaptation rows 80/20 into train and validation.
    /// </summary>
    public static (TabularData ATrain, TabularData ATest, TabularData BTrain, TabularData BValidation, TabularData BTest) SplitSites(TabularData data, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var values = data.Column(SiteFeature);
        var sorted = values.Order().ToArray();
        var median = sorted[(sorted.Length - 1) / 2];
        var siteA = Enumerable.Range(0, data.Count).Where(r => values[r] <= median).ToArray();
        var siteB = Enumerable.Range(0, data.Count).Where(r => values[r] > median).ToArray();
        var (aTrain, aTest) = DataSplits.Stratified(siteA, data.Label, 0.8, seed);
        var (bAdapt, bTest) = DataSplits.Stratified(siteB, data.Label, 0.5, seed);
        var (bTrain, bValidation) = DataSplits.Stratified(bAdapt, data.Label, 0.8, seed);
        return (data.Select(aTrain), data.Select(aTest), data.Select(bTrain), data.Select(bValidation), data.Select(bTest));
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Tensor Loss(TumourClassifier model, TabularBatch batch) =>
        nn.functional.cross_entropy(model.forward(batch.Features), batch.Labels);

    private static Dictionary<string, double> EvaluateClassifier(TumourClassifier model, TabularData data, Device device)
    {
        using var scope = NewDisposeScope();
        var logits = model.forward(data.FeaturesTensor(device));
        var labels = data.LabelsTensor(device);
        var matrix = new ConfusionMatrix(data.ClassCount);
        matrix.Add(labels.cpu().data<long>().ToArray(), logits.argmax(1).cpu().data<long>().ToArray());
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["eval/accuracy"] = matrix.Accuracy,
            ["eval/f1"] = matrix.MacroF1,
            ["eval/loss"] = nn.functional.cross_entropy(logits, labels).item<float>(),
        };
    }
}
