namespace PeftSharp.Tests.Training;

using System.Linq;
using FluentAssertions;
using PeftSharp.Training.Optimization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Linear_warmup_then_linear_decay_matches_the_reference_multipliers()
    {
        // Hugging Face get_linear_schedule_with_warmup(num_warmup_steps=2, num_training_steps=10).
        var schedule = new LearningRateSchedule(2, 10, DecayKind.Linear);

        Enumerable.Range(0, 11).Select(s => schedule.Factor(s)).Should().Equal(
            [0.0, 0.5, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0]);
    }

    [Fact]
    public void Cosine_decay_matches_the_reference_multipliers()
    {
        // Hugging Face get_cosine_schedule_with_warmup(num_warmup_steps=2, num_training_steps=10), num_cycles=0.5.
        var schedule = new LearningRateSchedule(2, 10, DecayKind.Cosine);

        schedule.Factor(1).Should().Be(0.5);
        schedule.Factor(2).Should().Be(1.0);
        schedule.Factor(4).Should().BeApproximately(0.8535533905932737, 1e-15);
        schedule.Factor(6).Should().BeApproximately(0.5, 1e-15);
        schedule.Factor(10).Should().BeApproximately(0.0, 1e-15);
    }

    [Fact]
    public void Apply_scales_every_group_from_its_initial_rate()
    {
        using var model = nn.Linear(3, 2);
        using var optimizer = ParameterGroups.AdamW(model, learningRate: 0.1, weightDecay: 0.01);
        var schedule = new LearningRateSchedule(4, 8, DecayKind.Linear);

        var first = schedule.Apply(optimizer, 1);

        first.Should().BeApproximately(0.025, 1e-15);
        optimizer.ParamGroups.Select(g => g.LearningRate).Should().AllSatisfy(lr => lr.Should().BeApproximately(0.025, 1e-15));
    }
}
