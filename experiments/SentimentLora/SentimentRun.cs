namespace SentimentLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp;
using PeftSharp.Data;
using PeftSharp.Models.MiniLm;
using PeftSharp.Tracking;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using SentimentLora.Data;
using SentimentLora.Training;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>One training run: data, the pretrained classifier adapted by the chosen method, training, test, record.</summary>
public static class SentimentRun
{
    /// <summary>
    /// Trains and evaluates as <paramref name="options"/> say and records the run through <paramref name="tracking"/>
    /// (as a child of <paramref name="parent"/> when given). Cancelling <paramref name="cancellationToken"/> (Ctrl-C)
    /// stops after the current step with a resumable checkpoint and ends the run KILLED.
    /// </summary>
    public static async Task<SentimentResult> RunAsync(
        SentimentOptions options, ITrackingClient tracking, TextWriter output, TrackedRun? parent = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tracking);
        ArgumentNullException.ThrowIfNull(output);

        var (trainFile, testFile) = await ReviewsData.PrepareAsync(options.DataDirectory, options.CacheDirectory, output, cancellationToken).ConfigureAwait(false);
        var trainSet = await ReviewsData.ReadAsync(trainFile, cancellationToken).ConfigureAwait(false);
        var testSet = await ReviewsData.ReadAsync(testFile, cancellationToken).ConfigureAwait(false);
        var encoder = TextEncoder.ForBert(MiniLmL6V2.OpenVocabulary(), options.MaxLength);
        var (train, validation) = SplitByProduct(trainSet, options);
        var trainTokens = TokenizedReviews.Encode(train, encoder);
        var validationTokens = validation.Count > 0 ? TokenizedReviews.Encode(validation, encoder) : null;
        var testTokens = TokenizedReviews.Encode(Limit(testSet, options.TestLimit), encoder);
        var device = TorchDevices.Resolve(options.Device);
        if (options.Threads > 0)
        {
            torch.set_num_threads(options.Threads);
        }

        var runName = string.Create(CultureInfo.InvariantCulture, $"{options.Method.ToString().ToLowerInvariant()}-seed{options.Seed}");
        using var run = parent is null ? TrackedRun.Start(tracking, options.ExperimentName, runName) : parent.StartChild(runName);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var interrupt = run.KillOnInterrupt(cancel);
        using var systemMetrics = run.StartSystemMetrics();
        run.SetTag("mlflow.note.content", $"{options.Method} fine-tuning of all-MiniLM-L6-v2 with a classification head on Amazon Fine Foods reviews (5 stars vs other).");
        if (options.Resume is not null)
        {
            run.SetTag("peftsharp.resumed_from", Path.GetFullPath(options.Resume));
        }

        Reproducibility.Seed(options.Seed);
        using var model = options.CreateModel();
        var adapted = Adapt(model, options);
        model.to(device);
        model.train();
        var report = ParameterReport.Of(model);

        var batches = new ReviewBatches(trainTokens, options.BatchSize, options.Seed, device);
        var totalSteps = (long)batches.BatchesPerEpoch * options.Epochs;
        var parameters = new SortedDictionary<string, string>(options.ToParameters().ToDictionary(), StringComparer.Ordinal)
        {
            ["device_resolved"] = device.ToString(),
            ["learning_rate_resolved"] = options.EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["model"] = $"{MiniLmL6V2.PackageId} {MiniLmL6V2.PackageVersion} (all-MiniLM-L6-v2) + mean pooling + linear head",
            ["train_reviews"] = Invariant(trainTokens.Count),
            ["validation_reviews"] = Invariant(validationTokens?.Count ?? 0),
            ["test_reviews"] = Invariant(testTokens.Count),
            ["steps"] = Invariant(totalSteps),
            ["trainable_params"] = Invariant(report.Trainable),
            ["total_params"] = Invariant(report.Total),
            ["torch_threads"] = Invariant(torch.get_num_threads()),
        };
        foreach (var (key, value) in adapted.Describe())
        {
            parameters[key] = value;
        }

        run.LogParams(parameters);
        run.LogInputs(
            DatasetInputFor("reviews_train", trainFile, trainSet.Count),
            DatasetInputFor("reviews_test", testFile, testSet.Count));
        run.LogMetric("trainable_params", report.Trainable, 0);

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
            {options.Method}: {adapted.Summary}
              {report}
              {trainTokens.Count} training reviews ({validationTokens?.Count ?? 0} held out for validation), {testTokens.Count} test reviews, at most {options.MaxLength} tokens ({LengthSummary(trainTokens, options.MaxLength)})
              {options.Epochs} epochs x {batches.BatchesPerEpoch} steps of {options.BatchSize} reviews on {device} ({torch.get_num_threads()} threads), learning rate {options.EffectiveLearningRate}
            """)).ConfigureAwait(false);

        var checkpoints = options.CheckpointDirectory ?? Path.Combine("checkpoints", run.RunId);
        var progress = new ProgressSink(new RunMetricSink(run), output, totalSteps, options.BatchSize, options.ProgressEvery);
        var trainer = new Trainer(
            new TrainerOptions
            {
                Epochs = options.Epochs,
                LearningRate = options.EffectiveLearningRate,
                WeightDecay = options.WeightDecay,
                WarmupSteps = (long)Math.Round(options.WarmupFraction * totalSteps),
                EvaluateEverySteps = options.EvalEvery,
                CheckpointDirectory = checkpoints,
            },
            progress);
        Func<IReadOnlyDictionary<string, double>>? evaluate = validationTokens is null
            ? null
            : () => ReviewEvaluation.Evaluate(model, validationTokens, device, "eval/");

        PeakMemory.Reset();
        progress.Start();
        TrainingOutcome outcome;
        try
        {
            outcome = trainer.Fit(model, batches, b => Loss(model, b), evaluate, options.Resume, cancel.Token);
        }
        catch (Exception e)
        {
            run.EndFor(e);
            throw;
        }

        var peakMemory = PeakMemory.PeakMiB();
        run.LogMetric("memory/peak_rss_mb", peakMemory, outcome.Steps);
        run.LogMetric("time/mean_step_ms", progress.MeanStepMilliseconds, outcome.Steps);
        if (outcome.Reason == StopReason.Cancelled)
        {
            run.End(RunStatus.Killed);
            await output.WriteLineAsync($"Interrupted at step {outcome.Steps}; continue with --resume {outcome.LastCheckpoint}").ConfigureAwait(false);
            throw new OperationCanceledException($"Interrupted at step {outcome.Steps}.", cancel.Token);
        }

        var test = ReviewEvaluation.Evaluate(model, testTokens, device, "test/");
        run.LogMetrics(test, outcome.Steps);

        string? adapterDirectory = null;
        if (adapted.Peft is { } peft)
        {
            adapterDirectory = Path.Combine(checkpoints, "adapter");
            peft.SaveAdapters(adapterDirectory);
            foreach (var file in Directory.GetFiles(adapterDirectory))
            {
                run.LogArtifact(file, "adapter");
            }
        }

        run.End(RunStatus.Finished);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""

            {options.Method}: test accuracy {test["test/accuracy"]:P1} (macro F1 {test["test/f1"]:F3}) on {testTokens.Count} reviews of other products
              trained {report.Trainable:N0} of {report.Total:N0} parameters ({report.TrainablePercent:F2}%), {outcome.Steps} steps, {progress.MeanStepMilliseconds:F0} ms/step, peak memory {peakMemory:F0} MiB
            """)).ConfigureAwait(false);
        if (adapterDirectory is not null)
        {
            await output.WriteLineAsync($"  adapter (PEFT format): {Path.GetFullPath(adapterDirectory)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync(tracking is MlflowFileStore store
            ? $"  run {run.RunId} recorded in {Path.Combine(store.RootDirectory, run.Info.ExperimentId, run.RunId)}"
            : $"  run {run.RunId} recorded in MLflow experiment '{options.ExperimentName}'").ConfigureAwait(false);

        return new SentimentResult(
            run.RunId,
            options.Method,
            test,
            report,
            progress.MeanStepMilliseconds,
            peakMemory,
            progress.Losses,
            adapterDirectory);
    }

    /// <summary>
    /// Splits the training reviews into training and validation by product (a product's reviews stay together, as
    /// the test set's products are unseen too), after <see cref="SentimentOptions.TrainLimit"/>.
    /// </summary>
    public static (ReviewSet Train, ReviewSet Validation) SplitByProduct(ReviewSet reviews, SentimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(options);
        var limited = Limit(reviews, options.TrainLimit);
        var split = new SplitSpec(options.ValidationFraction, 0, options.Seed, "product");
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
