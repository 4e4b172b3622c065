namespace PeftSharp.Tests.Training;

using System;
using FluentAssertions;
using PeftSharp.Data;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using Xunit;
using static TorchSharp.torch;

public sealed class ClassifierEvaluationTests
{
    [Fact]
    public void A_separable_problem_trained_by_the_engine_is_classified_correctly()
    {
        Reproducibility.Seed(0);
        var data = TwoBlobs(200, seed: 1);
        using var model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2));
        var before = ClassifierEvaluation.Evaluate(model, data, CPU);

        new Trainer(new TrainerOptions { Epochs = 20, LearningRate = 1e-2 }, new NullSink())
            .Fit(model, new TabularBatches(data, 32, seed: 0), b => nn.functional.cross_entropy(model.forward(b.Features), b.Labels));
        var after = ClassifierEvaluation.Evaluate(model, data, CPU);

        after.Accuracy.Should().BeGreaterThan(0.95);
        after.Loss.Should().BeLessThan(before.Loss / 2);
        after.Rows.Should().Be(200);
        model.training.Should().BeTrue("evaluation restores the training mode");
    }

    [Fact]
    public void Class_probabilities_are_the_softmax_of_the_logits_in_eval_mode()
    {
        manual_seed(3);
        var data = TwoBlobs(10, seed: 2);
        using var model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 2));
        model.eval();
        using var logits = model.forward(data.FeaturesTensor(CPU)).to(float64);
        model.train();

        var second = ClassifierEvaluation.ClassProbabilities(model, data, CPU, classIndex: 1);

        second.Should().HaveCount(10);
        for (var r = 0; r < 10; r++)
        {
            var (l0, l1) = (logits[r, 0].item<double>(), logits[r, 1].item<double>());
            second[r].Should().BeApproximately(Math.Exp(l1) / (Math.Exp(l0) + Math.Exp(l1)), 1e-6, "dropout is off in eval mode");
        }

        model.training.Should().BeTrue("the training mode is restored");
    }

    [Fact]
    public void A_fully_frozen_model_is_an_error_not_a_silent_no_op()
    {
        using var model = nn.Sequential(nn.Linear(1, 2));
        foreach (var p in model.parameters())
        {
            p.requires_grad = false;
        }

        var train = () => new Trainer(new TrainerOptions(), new NullSink())
            .Fit(model, new TabularBatches(new TabularData(["x"], [0f], [0]), 1, 0), b => model.forward(b.Features).sum());

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

    private sealed class NullSink : IMetricSink
    {
        public void LogMetric(string key, double value, long step)
        {
        }
    }
}
