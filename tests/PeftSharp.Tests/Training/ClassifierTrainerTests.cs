namespace PeftSharp.Tests.Training;

using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using PeftSharp.Data;
using PeftSharp.Training;
using Xunit;
using static TorchSharp.torch;

public sealed class ClassifierTrainerTests
{
    [Fact]
    public void A_separable_problem_is_learned_and_the_loss_falls()
    {
        manual_seed(0);
        var data = TwoBlobs(200, seed: 1);
        using var model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2));
        var metrics = new RecordingSink();

        var steps = ClassifierTrainer.Train(model, data, new TrainingOptions(20, 32, 1e-2, 0, 0), CPU, metrics);

        steps.Should().Be(20 * 7);
        var losses = metrics.Values("train/loss");
        losses.Take(5).Average().Should().BeGreaterThan(2 * losses.TakeLast(5).Average());
        ClassifierTrainer.Evaluate(model, data, CPU).Accuracy.Should().BeGreaterThan(0.95);
    }

    [Fact]
    public void A_non_finite_loss_stops_with_the_step()
    {
        var data = new TabularData(["x"], [float.NaN, 1f], [0, 1]);
        using var model = nn.Sequential(nn.Linear(1, 2));

        var train = () => ClassifierTrainer.Train(model, data, new TrainingOptions(1, 2, 1e-2, 0, 0), CPU, new RecordingSink());

        train.Should().Throw<InvalidOperationException>().WithMessage("*loss became NaN at step 1*");
    }

    [Fact]
    public void A_fully_frozen_model_is_an_error_not_a_silent_no_op()
    {
        using var model = nn.Sequential(nn.Linear(1, 2));
        foreach (var p in model.parameters())
        {
            p.requires_grad = false;
        }

        var train = () => ClassifierTrainer.Train(
            model, new TabularData(["x"], [0f], [0]), new TrainingOptions(1, 1, 1e-2, 0, 0), CPU, new RecordingSink());

        train.Should().Throw<InvalidOperationException>().WithMessage("*no trainable parameters*");
    }

    private static TabularData TwoBlobs(int rows, int seed)
    {
        var random = new Random(seed);
        var features = new float[rows * 2];
        var labels = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = i % 2;
            var centre = labels[i] == 0 ? -2f : 2f;
            features[2 * i] = centre + (float)(random.NextDouble() - 0.5);
            features[(2 * i) + 1] = centre + (float)(random.NextDouble() - 0.5);
        }

        return new TabularData(["x", "y"], features, labels);
    }

    private sealed class RecordingSink : IMetricSink
    {
        private readonly List<(string Key, double Value)> points = [];

        public void LogMetric(string key, double value, long step) => points.Add((key, value));

        public double[] Values(string key) => points.Where(p => p.Key == key).Select(p => p.Value).ToArray();
    }
}
