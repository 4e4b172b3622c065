namespace BreastCancerLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PeftSharp;
using PeftSharp.Data;
using PeftSharp.Tracking;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Metrics;
using PeftSharp.Training.Optimization;
using PeftSharp.Training.Runner;
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

    /// <summary>The experiment's own command: only convert the bundled CSV to Parquet (<c>--data</c> sets the output).</summary>
    public static ExperimentCommand<BreastCancerOptions> PrepareData { get; } = new(
        "prepare-data",
        "only convert the bundled CSV to Parquet (--data sets the output)",
        async (options, output, cancellationToken) =>
        {
            await BreastCancerData.ConvertCsvToParquetAsync(BreastCancerData.BundledCsv, options.DataPath, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Wrote {Path.GetFullPath(options.DataPath)}").ConfigureAwait(false);
            return 0;
        });

    /// <summary>
    /// Trains one run in <paramref name="context"/> (the runner's run, device, seed and Ctrl-C): pretrains on site A,
    /// adapts to site B with LoRA, evaluates on held-out site B rows and saves the adapter. Ctrl-C stops after the current
    /// step with a checkpoint that <c>--resume</c> continues from.
    /// </summary>
    public static async Task<BreastCancerResult> TrainAsync(BreastCancerOptions options, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var output = context.Output;
        var device = context.Device;
        if (!File.Exists(options.DataPath))
        {
            await output.WriteLineAsync($"Converting the bundled CSV to {options.DataPath}").ConfigureAwait(false);
            await BreastCancerData.ConvertCsvToParquetAsync(BreastCancerData.BundledCsv, options.DataPath, context.CancellationToken).ConfigureAwait(false);
        }

        var data = await ParquetTabularReader.ReadAsync(options.DataPath, BreastCancerData.Columns, context.CancellationToken).ConfigureAwait(false);
        context.LogDataset(DatasetFingerprint.Compute(options.DataPath, BreastCancerData.Columns, data.Count), "breast_cancer");
        var sites = SplitSites(data, context.Seed);

        // Standardise with site A training statistics: the "pretrained model's preprocessing" that site B inherits.
        var scaler = FeatureScaler.Fit(sites.ATrain);
        var aTrain = scaler.Transform(sites.ATrain);
        var aTest = scaler.Transform(sites.ATest);
        var bTrain = scaler.Transform(sites.BTrain);
        var bValidation = scaler.Transform(sites.BValidation);
        var bTest = scaler.Transform(sites.BTest);

        context.Run.SetTag(SystemTags.Note, "LoRA adaptation of a tumour classifier from small tumours (site A) to large tumours (site B), Wisconsin breast cancer data.");
        context.Run.LogParams(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["site_split"] = $"{SiteFeature} <= median is site A",
            ["site_a.train_rows"] = Invariant(aTrain.Count),
            ["site_a.test_rows"] = Invariant(aTest.Count),
            ["site_b.train_rows"] = Invariant(bTrain.Count),
            ["site_b.validation_rows"] = Invariant(bValidation.Count),
            ["site_b.test_rows"] = Invariant(bTest.Count),
        });

        using var model = new TumourClassifier(data.FeatureCount, options.HiddenSize, data.ClassCount);
        model.to(device);

        // Pretraining is not checkpointed: from the seed it is recomputed exactly, also when a run resumes.
        await output.WriteLineAsync($"Pretraining on site A ({aTrain.Count} rows, {device}), {ParameterReport.Of(model)}").ConfigureAwait(false);
        context.FitPhase(
            "pretrain/",
            new TrainerOptions { Epochs = options.PretrainEpochs, LearningRate = options.PretrainLearningRate, WeightDecay = options.WeightDecay, Decay = DecayKind.Constant },
            model,
            new TabularBatches(aTrain, options.BatchSize, context.Seed, device),
            b => Loss(model, b));
        var siteATest = ClassifierEvaluation.Evaluate(model, aTest, device);
        var before = ClassifierEvaluation.Evaluate(model, bTest, device);
        context.Run.LogMetric("pretrain/site_a_test_accuracy", siteATest.Accuracy, 0);
        var aucBefore = MalignancyRocAuc(model, bTest, device);
        context.Run.LogMetric("test/accuracy_before_adaptation", before.Accuracy, 0);
        context.Run.LogMetric("test/roc_auc_before_adaptation", aucBefore, 0);

        // The model trained on site B: the pretrained one with LoRA, in full or only its head; or a fresh one (scratch).
        using var fresh = options.Method == AdaptationMethod.Scratch ? new TumourClassifier(data.FeatureCount, options.HiddenSize, data.ClassCount) : null;
        var target = fresh ?? model;
        IReadOnlyList<AdapterTarget> plan = options.Method == AdaptationMethod.Lora ? model.ApplyAdapters(options.AdapterOverrides) : [];
        if (options.Method == AdaptationMethod.Head)
        {
            AdapterWiring.Freeze(model, model.TrainableModules);
        }

        context.PlaceModel(target);

        // The method's name is also the hyperparameter "method", and MLflow params are write-once: log the same value.
        var report = context.LogModel(target, options.Method.ToString(), plan);
        context.Run.LogParams([new("trainable_modules", string.Join(",", model.TrainableModules))]);
        await output.WriteLineAsync(
            $"Adapting to site B ({bTrain.Count} rows) with {options.Method}{(plan.Count > 0 ? " on " + string.Join(", ", plan.Select(p => p.ModulePath)) : string.Empty)}: {report}").ConfigureAwait(false);
        var outcome = context.Fit(
            new TrainerOptions
            {
                Epochs = options.Epochs,
                LearningRate = options.LearningRate,
                WeightDecay = options.WeightDecay,
                WarmupSteps = options.WarmupSteps,
                EarlyStoppingPatience = options.Patience,
            },
            target,
            new TabularBatches(bTrain, options.BatchSize, context.Seed, device),
            b => Loss(target, b),
            () => EvaluateClassifier(target, bValidation, device));

        var after = ClassifierEvaluation.Evaluate(target, bTest, device);
        var aucAfter = MalignancyRocAuc(target, bTest, device);
        context.LogFinalMetrics(
            new Dictionary<string, double>(StringComparer.Ordinal) { [RunNames.TestAccuracy] = after.Accuracy, [RunNames.TestLoss] = after.Loss, ["test/roc_auc"] = aucAfter },
            outcome.Steps);

        // The adapter in Hugging Face PEFT's format, loadable by Python's PEFT, as the run's artifact (LoRA only).
        var adapterDirectory = plan.Count > 0 ? context.SaveAdapter(model, plan, model.TrainableModules) : null;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

            Site A test accuracy (pretrained):           {siteATest.Accuracy:P1} of {siteATest.Rows} tumours
            Site B test accuracy before adaptation:      {before.Accuracy:P1} of {before.Rows} tumours
            Site B test accuracy after adaptation ({options.Method}): {after.Accuracy:P1} ({report})
            Site B test ROC AUC of malignancy, before / after:   {aucBefore:F3} / {aucAfter:F3}
            Best validation accuracy {outcome.BestValue:P1} at step {outcome.BestStep} of {outcome.Steps}{(adapterDirectory is null ? string.Empty : "; adapter saved in " + Path.GetFullPath(adapterDirectory))}
            """)).ConfigureAwait(false);
        return new BreastCancerResult(siteATest, before, after, report, options.Method, aucBefore, aucAfter);
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

    /// <summary>ROC AUC of the predicted probability of malignancy (label 0 in scikit-learn's coding), malignant as positive.</summary>
    public static double MalignancyRocAuc(TumourClassifier model, TabularData data, Device device)
    {
        ArgumentNullException.ThrowIfNull(data);
        var malignant = ClassifierEvaluation.ClassProbabilities(model, data, device, classIndex: 0);
        return RankingMetrics.RocAuc(malignant, Enumerable.Range(0, data.Count).Select(r => data.Label(r) == 0 ? 1 : 0).ToArray());
    }

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
            ["eval/loss"] = ScalarValue.Of(nn.functional.cross_entropy(logits, labels)),
        };
    }
}
