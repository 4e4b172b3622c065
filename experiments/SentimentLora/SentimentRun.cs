namespace SentimentLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using PeftSharp;
using PeftSharp.Data;
using PeftSharp.Models.MiniLm;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using SentimentLora.Data;
using SentimentLora.Training;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>One training run: data, the pretrained classifier adapted by the chosen method, training, test.</summary>
public static class SentimentRun
{
    /// <summary>
    /// Trains and evaluates as <paramref name="options"/> say, in the run <paramref name="context"/> gives (device,
    /// seed, checkpoints, resume, Ctrl-C, step time and memory are the runner's).
    /// </summary>
    public static async Task<SentimentResult> TrainAsync(SentimentOptions options, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var output = context.Output;
        var (trainFile, testFile) = await ReviewsData.PrepareAsync(options.DataDirectory, options.CacheDirectory, output, context.CancellationToken).ConfigureAwait(false);
        var trainSet = await ReviewsData.ReadAsync(trainFile, context.CancellationToken).ConfigureAwait(false);
        var testSet = await ReviewsData.ReadAsync(testFile, context.CancellationToken).ConfigureAwait(false);
        context.Run.LogInputs(
            DatasetInputFor("reviews_train", trainFile, trainSet.Count),
            DatasetInputFor("reviews_test", testFile, testSet.Count));
        var encoder = TextEncoder.ForBert(MiniLmL6V2.OpenVocabulary(), options.MaxLength);
        var (train, validation) = SplitByProduct(trainSet, options, context.Seed);
        var trainTokens = TokenizedReviews.Encode(train, encoder);
        var validationTokens = validation.Count > 0 ? TokenizedReviews.Encode(validation, encoder) : null;
        var testTokens = TokenizedReviews.Encode(Limit(testSet, options.TestLimit), encoder);
        var device = context.Device;

        using var model = options.CreateModel();
        var adapted = Adapt(model, options);
        context.PlaceModel(model);
        model.train();
        var report = adapted.Peft is { } applied ? context.LogModel(applied, MethodName(options.Method)) : context.LogModel(model, MethodName(options.Method));

        var batches = new ReviewBatches(trainTokens, options.BatchSize, context.Seed, device);
        var totalSteps = (long)batches.BatchesPerEpoch * options.Epochs;
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["learning_rate_resolved"] = options.EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["model"] = $"{MiniLmL6V2.PackageId} {MiniLmL6V2.PackageVersion} (all-MiniLM-L6-v2) + mean pooling + linear head",
            ["train_reviews"] = Invariant(trainTokens.Count),
            ["validation_reviews"] = Invariant(validationTokens?.Count ?? 0),
            ["test_reviews"] = Invariant(testTokens.Count),
            ["steps"] = Invariant(totalSteps),
        };
        foreach (var (key, value) in adapted.Describe())
        {
            parameters[key] = value;
        }

        context.Run.LogParams(parameters);
        context.Run.LogMetric(RunNames.TrainableParams, report.Trainable, 0);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
            {options.Method}: {adapted.Summary}
              {report}
              {trainTokens.Count} training reviews ({validationTokens?.Count ?? 0} held out for validation), {testTokens.Count} test reviews, at most {options.MaxLength} tokens ({LengthSummary(trainTokens, options.MaxLength)})
              {options.Epochs} epoch(s) x {batches.BatchesPerEpoch} steps of {options.BatchSize} reviews on {device} ({torch.get_num_threads()} threads), learning rate {options.EffectiveLearningRate}
            """)).ConfigureAwait(false);

        var outcome = context.Fit(
            new TrainerOptions
            {
                Epochs = options.Epochs,
                LearningRate = options.EffectiveLearningRate,
                WeightDecay = options.WeightDecay,
                WarmupSteps = (long)Math.Round(options.WarmupFraction * totalSteps),
                EvaluateEverySteps = options.EvalEvery,
            },
            model,
            batches,
            b => Loss(model, b),
            validationTokens is null ? null : () => ReviewEvaluation.Evaluate(model, validationTokens, device, "eval/"));

        var test = ReviewEvaluation.Evaluate(model, testTokens, device, "test/");
        context.LogFinalMetrics(test, outcome.Steps);
        var adapterDirectory = adapted.Peft is { } peft ? context.SaveAdapter(peft) : null;

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

            {options.Method}: test accuracy {test[RunNames.TestAccuracy]:P1} (macro F1 {test["test/f1"]:F3}) on {testTokens.Count} reviews of other products
              trained {report.Trainable:N0} of {report.Total:N0} parameters ({report.TrainablePercent:F2}%) in {outcome.Steps} steps
            """)).ConfigureAwait(false);
        if (adapterDirectory is not null)
        {
            await output.WriteLineAsync($"  adapter (PEFT format): {Path.GetFullPath(adapterDirectory)}").ConfigureAwait(false);
        }

        return new SentimentResult(options.Method, test, report, outcome.Steps, adapterDirectory);
    }

    /// <summary>
    /// Splits the training reviews into training and validation by product (a product's reviews stay together, as
    /// the test set's products are unseen too), after <see cref="SentimentOptions.TrainLimit"/>.
    /// </summary>
    public static (ReviewSet Train, ReviewSet Validation) SplitByProduct(ReviewSet reviews, SentimentOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(options);
        var limited = Limit(reviews, options.TrainLimit);
        var split = new SplitSpec(options.ValidationFraction, 0, seed, "product");
        var validation = Enumerable.Range(0, limited.Count)
            .Where(i => split.Assign(StableHash.OfString(limited.Products[i])) == DataSplit.Validation)
            .ToHashSet();
        var train = Enumerable.Range(0, limited.Count).Where(i => !validation.Contains(i)).ToList();
        return (Rows(limited, train), Rows(limited, validation.Order().ToList()));
    }

    private static Adaptation Adapt(SentimentClassifier model, SentimentOptions options) => options.Method switch
    {
        FineTuningMethod.Frozen => Adaptation.Frozen(model),
        FineTuningMethod.Lora => Adaptation.Lora(model, options.Rank),
        FineTuningMethod.Dora => Adaptation.Dora(model, options.Rank),
        FineTuningMethod.IA3 => Adaptation.IA3(model),
        FineTuningMethod.Full => Adaptation.Full(model),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown fine-tuning method."),
    };

    // The same text as the method hyperparameter's MLflow param, which the runner's "method" param must repeat.
    private static string MethodName(FineTuningMethod method) => method.ToString();

    private static Tensor Loss(SentimentClassifier model, ReviewBatch batch) =>
        nn.functional.cross_entropy(model.call(batch.InputIds, batch.AttentionMask), batch.Labels);

    private static ReviewSet Limit(ReviewSet set, int? limit) =>
        limit is { } n && n < set.Count ? Rows(set, Enumerable.Range(0, n).ToList()) : set;

    private static ReviewSet Rows(ReviewSet set, IReadOnlyList<int> rows) => new(
        rows.Select(r => set.Products[r]).ToList(),
        rows.Select(r => set.Reviews[r]).ToList(),
        rows.Select(r => set.Scores[r]).ToList(),
        rows.Select(r => set.Labels[r]).ToList());

    private static DatasetInput DatasetInputFor(string name, string path, int rows)
    {
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..16];
        return new DatasetInput(
            name, digest, "local", JsonSerializer.Serialize(new { uri = Path.GetFullPath(path) }),
            Profile: JsonSerializer.Serialize(new { num_rows = rows }));
    }

    private static string LengthSummary(TokenizedReviews reviews, int maxLength)
    {
        var lengths = reviews.Lengths.Order().ToArray();
        var truncated = lengths.Count(l => l >= maxLength);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"median {lengths[lengths.Length / 2]}, mean {lengths.Average():F0}, {100.0 * truncated / lengths.Length:F0}% cut");
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
