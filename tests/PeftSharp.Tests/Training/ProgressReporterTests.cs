namespace PeftSharp.Tests.Training;

using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Runner;
using Xunit;

public sealed class ProgressReporterTests
{
    [Fact]
    public void Redirected_output_gets_plain_lines_with_step_loss_and_throughput()
    {
        var output = new StringWriter();
        var progress = new ProgressReporter(output, live: false, TimeSpan.Zero, "train");

        Drive(progress, steps: 5);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.ToString().Should().NotContain("\r").And.NotContain("\u001b", "a log file gets no terminal control characters");
        lines.Should().HaveCount(6, "one line per step at interval zero, and one for the evaluation");
        lines[0].Should().StartWith("train step 1/5 (20%) ETA").And.Contain("loss 0.5000").And.Contain("samples/s").And.Contain("tokens/s");
        lines[4].Should().StartWith("train step 5/5 (100%) ETA 0:00");
        lines[5].Should().Be("train step 5: eval/accuracy 0.75");
        ProgressReporter.IsTerminal(output).Should().BeFalse();
    }

    [Fact]
    public void Plain_lines_are_periodic_not_per_step()
    {
        var output = new StringWriter();
        var progress = new ProgressReporter(output, live: false, TimeSpan.FromHours(1), "train");

        Drive(progress, steps: 50);

        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("loss", StringComparison.Ordinal))
            .Should().HaveCount(2, "within the interval only the first and the last step print");
    }

    [Fact]
    public void A_terminal_gets_one_line_redrawn_in_place_with_a_bar()
    {
        var output = new StringWriter();
        var progress = new ProgressReporter(output, live: true, TimeSpan.Zero, "train");

        Drive(progress, steps: 3);

        var text = output.ToString();
        text.Should().StartWith("\rtrain [").And.Contain("] step 1/3").And.Contain("\u001b[K");
        text.Should().Contain("\rtrain [########################] step 3/3 (100%)");
        if (OperatingSystem.IsLinux())
        {
            text.Should().Contain(" MB");
        }
    }

    private static void Drive(ITrainingObserver progress, int steps)
    {
        progress.OnStart(0, steps);
        for (var step = 1; step <= steps; step++)
        {
            progress.OnStep(new TrainingStep(step, steps, 0, 1.0 / (step + 1), 1e-3, TimeSpan.FromMilliseconds(5), Samples: 32, Tokens: 4096));
        }

        progress.OnEvaluation(steps, new System.Collections.Generic.Dictionary<string, double> { ["eval/accuracy"] = 0.75 });
        progress.OnEnd();
    }
}
