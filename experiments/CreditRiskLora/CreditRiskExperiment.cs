namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CreditRiskLora.Data;
using CreditRiskLora.Metrics;
using PeftSharp.Data;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Runner;
using TorchSharp;

/// <summary>
/// The experiment: pretrain on the source portfolio, adapt to the target portfolio with the chosen method, test on
/// held-out target loans. Trained by the PeftSharp runner (MLflow record, checkpoints, resume, sweeps).
/// </summary>
public static class CreditRiskExperiment
{
    /// <summary>What a plain <c>dotnet run</c> does: the method comparison, every method for every declared seed.</summary>
    public static IReadOnlyList<string> DefaultArguments { get; } = ["--sweep", "grid"];

    /// <summary>The setup step as a command with the experiment's options (--data-dir, --cache-dir).</summary>
    public static ExperimentCommand<CreditRiskOptions> PrepareData { get; } = new(
        "prepare-data",
        "fetch the Debian packages and write the harmonised Parquet files (--data-dir, --cache-dir); training does it on first use",
        async (options, output, cancellationToken) =>
        {
            await CreditDataPreparation.PrepareAsync(options.DataDir, options.CacheDir, output, null, cancellationToken).ConfigureAwait(false);
            return 0;
        });

    /// <summary>
    /// The command line. Without arguments it runs <see cref="DefaultArguments"/>; after every run of this process it
    /// prints the comparison of the methods that ran (<see cref="ComparisonReport"/>).
    /// </summary>
    public static async Task<int> MainAsync(IReadOnlyList<string> args, RunnerHost? host = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        host ??= new RunnerHost();
        if (args.Count == 0)
        {
            await host.Output.WriteLineAsync(
                "No options: comparing lora, full, scratch and head over seeds 1-5 (--sweep grid). One run: --method lora --seed 1; all options: --help.").ConfigureAwait(false);
        }

        var results = new List<MethodResult>();
        using var cache = new PretrainedCache();
        var exitCode = await ExperimentRunner.RunAsync<CreditRiskOptions>(
            args.Count == 0 ? DefaultArguments : args,
            async (options, context) => results.Add(await TrainAsync(options, context, cache).ConfigureAwait(false)),
            [PrepareData],
            host).ConfigureAwait(false);
        if (results.Count > 1)
        {
            await host.Output.WriteLineAsync().ConfigureAwait(false);
            await host.Output.WriteAsync(ComparisonReport.Format(results)).ConfigureAwait(false);
        }

        return exitCode;
    }

    /// <summary>One run (the runner's <c>TrainAsync</c>), pretraining included.</summary>
    public static Task<MethodResult> TrainAsync(CreditRiskOptions options, RunContext context) => TrainAsync(options, context, null);

    /// <summary>One run; <paramref name="cache"/> (when given) shares pretrained bases between runs of the process.</summary>
    public static async Task<MethodResult> TrainAsync(CreditRiskOptions options, RunContext context, PretrainedCache? cache)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var study = await CreditRiskStudy.LoadAsync(options, context.Output, context.CancellationToken).ConfigureAwait(false);
        var columns = new TabularColumns(HarmonisedSchema.FeatureNames, HarmonisedSchema.Label);
        context.LogDataset(DatasetFingerprint.Compute(CreditDataPreparation.PathOf(options.DataDir, options.Source), columns, study.Splits.SourceTrain.Count + study.Splits.SourceValidation.Count), options.Source, "pretraining");
        context.LogDataset(DatasetFingerprint.Compute(CreditDataPreparation.PathOf(options.DataDir, options.Target), columns, study.Splits.TargetTrain.Count + study.Splits.TargetValidation.Count + study.Splits.TargetTest.Count), options.Target, "adaptation");
        context.Run.LogParams(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["split.source_train"] = Describe(study.Splits.SourceTrain),
            ["split.source_validation"] = Describe(study.Splits.SourceValidation),
            ["split.target_train"] = Describe(study.Splits.TargetTrain),
            ["split.target_validation"] = Describe(study.Splits.TargetValidation),
            ["split.target_test"] = Describe(study.Splits.TargetTest),
            ["learning_rate_resolved"] = options.TargetLearningRate.ToString(CultureInfo.InvariantCulture),
        });
        context.Run.SetTag("mlflow.note.content", $"Credit risk: pretrained on {options.Source}, adapted to {options.Target} with {options.Method}.");

        // Scratch never uses the base, but its "before" row would be the same base: it is pretrained (or cached) only to
        // report the drift when it runs alone.
        var pretrained = cache is null
            ? Pretrain(study, options, context)
            : cache.GetOrAdd(options, context.Device.ToString(), () => Pretrain(study, options, context));
        try
        {
            context.LogFinalMetrics(pretrained.SourceValidation.ToMetrics("pretrain/source_validation_"), 0);
            context.LogFinalMetrics(pretrained.TargetTest.ToMetrics("before/test_"), 0);

            var (model, plan) = CreditRiskStudy.CreateTargetModel(options, pretrained);
            using (model)
            {
                context.PlaceModel(model);
                // The same value as the hyperparameter "method" (MLflow params are write-once): Lora, Full, Scratch, Head.
                var method = options.Method.ToString();
                var parameters = context.LogModel(model, method, plan);
                await context.Output.WriteLineAsync($"Adapting to {study.Splits.TargetTrain} with {method}: {parameters}").ConfigureAwait(false);
                var memory = PeakMemory.Start();
                var outcome = CreditRiskTraining.Train(
                    model, study.TargetTrain, study.TargetValidation,
                    CreditRiskTraining.PhaseOptions(options.Epochs, options.TargetLearningRate, options.WeightDecay, options.Patience),
                    options.BatchSize, options.Seed, context.Device,
                    (o, m, d, loss, evaluate) => context.Fit(o, m, d, loss, evaluate));
                var peak = memory.PeakMegabytes();
                var test = CreditEvaluation.Evaluate(model, study.TargetTest, context.Device, options.MinPrecision);
                var final = new Dictionary<string, double>(test.ToMetrics("test/"), StringComparer.Ordinal)
                {
                    ["test/best_validation_roc_auc"] = outcome.BestValidationAuc,
                };
                context.LogFinalMetrics(final, outcome.Steps);
                if (plan.Count > 0)
                {
                    context.SaveAdapter(model, plan, model.TrainableModules);
                }

                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

                    {options.Target} test loans: {test.Rows} ({test.BadRate:P1} bad)
                    pretrained on {options.Source}, before adaptation: ROC AUC {pretrained.TargetTest.RocAuc:F3}, PR AUC {pretrained.TargetTest.PrAuc:F3} (source validation ROC AUC {pretrained.SourceValidation.RocAuc:F3})
                    {method,-8} after adaptation:  ROC AUC {test.RocAuc:F3}, PR AUC {test.PrAuc:F3}, recall at precision {test.MinPrecision:F2} {test.RecallAtPrecision:P1}, accuracy {test.Accuracy:P1}
                    best validation ROC AUC {outcome.BestValidationAuc:F3} at step {outcome.BestStep} of {outcome.Steps}; {outcome.StepMilliseconds:F2} ms/step
                    """)).ConfigureAwait(false);
                return new MethodResult(options.Method, options.Seed, test, options.Method == AdaptationMethod.Scratch ? null : pretrained.TargetTest, parameters, outcome, peak);
            }
        }
        finally
        {
            if (cache is null)
            {
                pretrained.Dispose();
            }
        }
    }

    private static PretrainedBase Pretrain(CreditRiskStudy study, CreditRiskOptions options, RunContext context)
    {
        context.Output.WriteLine($"Pretraining on {study.Splits.SourceTrain} ...");
        return study.Pretrain(options, context.Device, (o, m, d, loss, evaluate) => context.FitPhase("pretrain/", o, m, d, loss, evaluate));
    }

    private static string Describe(CreditTable table) =>
        string.Create(CultureInfo.InvariantCulture, $"{table.Count} rows, {table.BadCount} bad");
}
