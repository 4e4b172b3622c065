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
using PeftSharp.Training;
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
        BreastCancerOptions options;
        CommandLineArguments cli;
        try
        {
            cli = CommandLineArguments.Parse(args);
            if (cli.HasFlag("help"))
            {
                await output.WriteLineAsync(BreastCancerOptions.Help).ConfigureAwait(false);
                return 0;
            }

            options = BreastCancerOptions.Parse(cli);
            if (cli.Command is not (null or "prepare-data"))
            {
                throw new ArgumentException($"Unknown command '{cli.Command}'. Commands: prepare-data (or none to train).");
            }
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {e.Message}\nRun with --help for the options.").ConfigureAwait(false);
            return 2;
        }

        try
        {
            if (cli.Command == "prepare-data")
            {
                await BreastCancerData.ConvertCsvToParquetAsync(BreastCancerData.BundledCsv, options.DataPath).ConfigureAwait(false);
                await output.WriteLineAsync($"Wrote {Path.GetFullPath(options.DataPath)}").ConfigureAwait(false);
                return 0;
            }

            var result = await RunAsync(options, TrackingClients.FromEnvironment(), output).ConfigureAwait(false);
            return result.SiteBAfter.Rows > 0 ? 0 : 1;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>Runs the experiment end to end and records it through <paramref name="tracking"/>.</summary>
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
        var bTest = scaler.Transform(sites.BTest);

        using var run = TrackedRun.Start(tracking, options.ExperimentName, $"lora-seed{options.Seed}");
        run.SetTag("mlflow.note.content", "LoRA adaptation of a tumour classifier from small tumours (site A) to large tumours (site B), Wisconsin breast cancer data.");
        var parameters = new SortedDictionary<string, string>(options.ToParams().ToDictionary(), StringComparer.Ordinal)
        {
            ["device_resolved"] = device.ToString(),
            ["dataset.source"] = fingerprint.Source,
            ["dataset.digest"] = fingerprint.Digest,
            ["dataset.rows"] = Invariant(fingerprint.Rows),
            ["site_split"] = $"{SiteFeature} <= median is site A",
            ["site_a.train_rows"] = Invariant(aTrain.Count),
            ["site_a.test_rows"] = Invariant(aTest.Count),
            ["site_b.train_rows"] = Invariant(bTrain.Count),
            ["site_b.test_rows"] = Invariant(bTest.Count),
        };
        run.LogParams(parameters);
        var sink = new RunMetricSink(run);

        Reproducibility.Seed(options.Seed);
        using var model = new TumourClassifier(data.FeatureCount, options.HiddenSize, data.ClassCount);
        model.to(device);

        await output.WriteLineAsync($"Pretraining on site A ({aTrain.Count} rows, {device}), {ParameterReport.Of(model)}").ConfigureAwait(false);
        ClassifierTrainer.Train(
            model, aTrain, new TrainingOptions(options.PretrainEpochs, options.BatchSize, options.PretrainLearningRate, options.WeightDecay, options.Seed, "pretrain"), device, sink);
        var siteATest = ClassifierTrainer.Evaluate(model, aTest, device);
        var before = ClassifierTrainer.Evaluate(model, bTest, device);
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
        ClassifierTrainer.Train(
            model, bTrain, new TrainingOptions(options.Epochs, options.BatchSize, options.LearningRate, options.WeightDecay, options.Seed, "train"), device, sink);
        var after = ClassifierTrainer.Evaluate(model, bTest, device);
        run.LogMetric("test/accuracy", after.Accuracy, 0);
        run.LogMetric("test/loss", after.Loss, 0);
        run.End(RunStatus.Finished);

        var runDirectory = tracking is MlflowFileStore store ? Path.Combine(store.RootDirectory, run.Info.ExperimentId, run.RunId) : null;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

            Site A test accuracy (pretrained):           {siteATest.Accuracy:P1} of {siteATest.Rows} tumours
            Site B test accuracy before adaptation:      {before.Accuracy:P1} of {before.Rows} tumours
            Site B test accuracy after LoRA adaptation:  {after.Accuracy:P1} ({report})
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
    /// Splits rows into site A (feature at or below its median) and site B, each stratified into train and test:
    /// 80/20 for site A, 50/50 for site B.
    /// </summary>
    public static (TabularData ATrain, TabularData ATest, TabularData BTrain, TabularData BTest) SplitSites(TabularData data, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var values = data.Column(SiteFeature);
        var sorted = values.Order().ToArray();
        var median = sorted[(sorted.Length - 1) / 2];
        var siteA = Enumerable.Range(0, data.Count).Where(r => values[r] <= median).ToArray();
        var siteB = Enumerable.Range(0, data.Count).Where(r => values[r] > median).ToArray();
        var (aTrain, aTest) = DataSplits.Stratified(siteA, data.Label, 0.8, seed);
        var (bTrain, bTest) = DataSplits.Stratified(siteB, data.Label, 0.5, seed);
        return (data.Select(aTrain), data.Select(aTest), data.Select(bTrain), data.Select(bTest));
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
