namespace PeftSharp.Tests.Training;

using System;
using FluentAssertions;
using PeftSharp.Training.Metrics;
using Xunit;

public sealed class MetricsTests
{
    [Fact]
    public void Accuracy_and_macro_f1_match_scikit_learn()
    {
        // sklearn: y_true=[0,0,1,1,2,2,2], y_pred=[0,1,1,1,2,0,2] -> accuracy 5/7, f1 per class [0.5, 0.8, 0.8].
        var matrix = new ConfusionMatrix(3);
        matrix.Add([0, 0, 1, 1], [0, 1, 1, 1]);
        matrix.Add([2, 2, 2], [2, 0, 2]);

        matrix.Accuracy.Should().BeApproximately(5.0 / 7, 1e-15);
        matrix.F1(0).Should().BeApproximately(0.5, 1e-15);
        matrix.F1(1).Should().BeApproximately(0.8, 1e-15);
        matrix.F1(2).Should().BeApproximately(0.8, 1e-15);
        matrix.MacroF1.Should().BeApproximately(0.7, 1e-15);
    }

    [Fact]
    public void A_class_never_predicted_scores_zero_not_nan()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add([0, 1], [0, 0]);

        matrix.F1(1).Should().Be(0);
        matrix.MacroF1.Should().BeApproximately(1.0 / 3, 1e-15);
    }

    [Fact]
    public void Labels_out_of_range_are_rejected()
    {
        var matrix = new ConfusionMatrix(2);

        var add = () => matrix.Add([2], [0]);

        add.Should().Throw<ArgumentException>().WithMessage("*outside 0..1*");
    }

    [Fact]
    public void Early_stopping_keeps_the_best_step_and_stops_after_patience()
    {
        var stopping = new EarlyStopping(patience: 2, higherIsBetter: true, minDelta: 0.01);

        stopping.Update(0.80, 10).Should().BeTrue();
        stopping.Update(0.85, 20).Should().BeTrue();
        stopping.Update(0.855, 30).Should().BeFalse("below min delta");
        stopping.ShouldStop.Should().BeFalse();
        stopping.Update(0.84, 40).Should().BeFalse();

        stopping.ShouldStop.Should().BeTrue();
        stopping.BestStep.Should().Be(20);
        stopping.BestValue.Should().Be(0.85);
    }
}
