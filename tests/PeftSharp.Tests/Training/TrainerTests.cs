namespace PeftSharp.Tests.Training;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using FluentAssertions;
using PeftSharp.Data;
using PeftSharp.Tests.Data;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

public sealed class TrainerTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Two_runs_with_the_same_seed_log_identical_metrics()
    {
        var first = Train(new TrainerOptions { Epochs = 3, LearningRate = 0.05, WarmupSteps = 3 }).Metrics;
        var second = Train(new TrainerOptions { Epochs = 3, LearningRate = 0.05, WarmupSteps = 3 }).Metrics;

        second.Points.Should().Equal(first.Points);
        first.Values("train/loss").Should().HaveCount(3 * 5);
    }

    [Fact]
    public void Resume_after_an_interruption_equals_an_uninterrupted_run()
    {
        var options = new TrainerOptions { Epochs = 3, LearningRate = 0.05, CheckpointEverySteps = 2, EvaluateEverySteps = 2 };
        var uninterrupted = Train(options with { CheckpointDirectory = temp.File("a") });

        // Interrupt after step 6 (mid-epoch 2), then build everything anew and resume from the saved checkpoint.
        using var cancel = new CancellationTokenSource();
        var interrupted = Train(options with { CheckpointDirectory = temp.File("b") }, cancelAfterStep: 6, cancel: cancel);
        interrupted.Outcome.Reason.Should().Be(StopReason.Cancelled);
        var checkpoint = TrainingCheckpoint.Latest(temp.File("b"));
        Path.GetFileName(checkpoint).Should().Be("step-00000006");
        var resumed = Train(options with { CheckpointDirectory = temp.File("b") }, resumeFrom: checkpoint, reseed: 999);

        // The checkpoint written after the resume is byte-identical to the uninterrupted run's at the same step.
        foreach (var file in new[] { "trainable.safetensors", "optimizer.bin", "rng.safetensors", "trainer_state.json" })
        {
            File.ReadAllBytes(Path.Combine(temp.File("b"), "step-00000008", file))
                .Should().Equal(File.ReadAllBytes(Path.Combine(temp.File("a"), "step-00000008", file)), file);
        }

        resumed.Outcome.Steps.Should().Be(uninterrupted.Outcome.Steps);
        resumed.FinalWeights.Should().Equal(uninterrupted.FinalWeights);
        interrupted.Metrics.Points.Concat(resumed.Metrics.Points).Should().Equal(uninterrupted.Metrics.Points);
    }

    [Fact]
    public void Accumulating_two_half_batches_equals_one_full_batch()
    {
        var full = Train(new TrainerOptions { Epochs = 1, LearningRate = 0.05, MaxGradientNorm = null }, batchSize: 40, rows: 40);
        var accumulated = Train(new TrainerOptions { Epochs = 1, LearningRate = 0.05, MaxGradientNorm = null, GradientAccumulationSteps = 2 }, batchSize: 20, rows: 40);

        accumulated.Outcome.Steps.Should().Be(1);
        accumulated.FinalWeights.Zip(full.FinalWeights, (a, b) => Math.Abs(a - b)).Max().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void Early_stopping_ends_the_run_and_reports_the_best_step()
    {
        var result = Train(
            new TrainerOptions { Epochs = 50, LearningRate = 0.05, EarlyStoppingPatience = 2, MonitorMetric = "eval/constant" },
            evaluation: () => new Dictionary<string, double> { ["eval/constant"] = 1.0 });

        result.Outcome.Reason.Should().Be(StopReason.EarlyStopped);
        result.Outcome.BestStep.Should().Be(5, "the first evaluation (end of epoch 1) is the best; two more without improvement stop the run");
        result.Outcome.Steps.Should().Be(15);
    }

    [Fact]
    public void A_non_finite_loss_names_the_step()
    {
        var fit = () => Train(new TrainerOptions { Epochs = 1, LearningRate = 0.05 }, poisonAfterStep: 2);

        fit.Should().Throw<InvalidOperationException>().WithMessage("*loss became NaN at step 3*");
    }

    [Fact]
    public void Reading_the_loss_in_windows_logs_exactly_what_reading_every_step_logs()
    {
        // What a GPU run does (one device wait per window); checked on the CPU, where the values must not change.
        var options = new TrainerOptions { Epochs = 3, LearningRate = 0.05, WarmupSteps = 3, EvaluateEverySteps = 7 };

        var everyStep = Train(options with { LossReadInterval = 1 });
        var windows = Train(options with { LossReadInterval = 4 });

        windows.Metrics.Points.OrderBy(p => p.Step).ThenBy(p => p.Key)
            .Should().Equal(everyStep.Metrics.Points.OrderBy(p => p.Step).ThenBy(p => p.Key));
        windows.Metrics.Values("train/grad_norm").Should().HaveCount(15);
        windows.FinalWeights.Should().Equal(everyStep.FinalWeights);
        // A window never holds steps back across an evaluation: step 7's loss is logged before its evaluation.
        windows.Metrics.Points.FindIndex(p => p.Key == "train/loss" && p.Step == 7)
            .Should().BeLessThan(windows.Metrics.Points.FindIndex(p => p.Key == "eval/accuracy" && p.Step == 7));
    }

    [Fact]
    public void A_non_finite_loss_inside_a_window_names_its_step_and_no_checkpoint_follows_it()
    {
        var options = new TrainerOptions { Epochs = 3, LearningRate = 0.05, LossReadInterval = 8, CheckpointEverySteps = 4, CheckpointDirectory = temp.File("nan") };

        var fit = () => Train(options, poisonAfterStep: 5);

        fit.Should().Throw<InvalidOperationException>().WithMessage("*loss became NaN at step 6 (epoch 2)*");
        Directory.GetDirectories(temp.File("nan")).Select(Path.GetFileName).Should().Equal("step-00000004");
    }

    [Fact]
    public void A_thousand_steps_leave_no_native_tensors_behind()
    {
        using var model = nn.Linear(4, 2);
        var data = new TabularBatches(Blobs(64), batchSize: 64, seed: 1);
        var trainer = new Trainer(new TrainerOptions { Epochs = 1000, LearningRate = 1e-3 }, new RecordingSink());
        trainer.Fit(model, data, b => nn.functional.cross_entropy(model.forward(b.Features), b.Labels));
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        trainer.Fit(model, data, b => nn.functional.cross_entropy(model.forward(b.Features), b.Labels));

        (DisposeScopeManager.Statistics.ThreadTotalLiveCount - before).Should().BeLessThan(10, "1,000 steps must not accumulate tensors");
    }

    private static (TrainingOutcome Outcome, RecordingSink Metrics, float[] FinalWeights) Train(
        TrainerOptions options,
        int batchSize = 8,
        int rows = 40,
        int cancelAfterStep = -1,
        CancellationTokenSource? cancel = null,
        string? resumeFrom = null,
        int? reseed = null,
        int poisonAfterStep = -1,
        Func<IReadOnlyDictionary<string, double>>? evaluation = null)
    {
        Reproducibility.Seed(11);
        using var model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2));
        if (reseed is { } other)
        {
            // A resumed process starts with another random state; the checkpoint must restore it.
            Reproducibility.Seed(other);
        }

        var data = Blobs(rows);
        var sink = new RecordingSink(cancelAfterStep, cancel);
        var trainer = new Trainer(options, sink);
        evaluation ??= () =>
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(data.FeaturesTensor());
            return new Dictionary<string, double> { ["eval/accuracy"] = logits.argmax(1).eq(data.LabelsTensor()).to(float64).mean().item<double>() };
        };

        var steps = 0;
        var outcome = trainer.Fit(
            model,
            new TabularBatches(data, batchSize, seed: 5),
            b =>
            {
                var loss = nn.functional.cross_entropy(model.forward(b.Features), b.Labels);
                return steps++ >= poisonAfterStep && poisonAfterStep >= 0 ? loss * double.NaN : loss;
            },
            evaluation,
            resumeFrom,
            cancel?.Token ?? default);
        var weights = model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
        return (outcome, sink, weights);
    }

    private static TabularData Blobs(int rows)
    {
        var random = new Random(3);
        var features = new float[rows * 4];
        var labels = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = i % 2;
            for (var j = 0; j < 4; j++)
            {
                features[(i * 4) + j] = (float)((labels[i] * 2) - 1 + random.NextDouble());
            }
        }

        return new TabularData(["a", "b", "c", "d"], features, labels);
    }

    private sealed class RecordingSink(int cancelAfterStep = -1, CancellationTokenSource? cancel = null) : IMetricSink
    {
        public List<(string Key, long Step, double Value)> Points { get; } = [];

        public void LogMetric(string key, double value, long step)
        {
            Points.Add((key, step, value));
            if (step == cancelAfterStep && key == "train/loss")
            {
                cancel?.Cancel();
            }
        }

        public double[] Values(string key) => Points.Where(p => p.Key == key).Select(p => p.Value).ToArray();
    }
}
