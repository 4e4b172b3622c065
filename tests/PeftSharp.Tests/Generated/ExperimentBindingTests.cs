namespace PeftSharp.Tests.Generated;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Training.Experiments;
using Xunit;

/// <summary>The generated binding of <see cref="TumourRun"/>: sources and precedence, validation, help, params, sweeps, host.</summary>
public sealed class ExperimentBindingTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "peftsharp-exp-" + Guid.NewGuid().ToString("N"));
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    public ExperimentBindingTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Defaults_come_from_the_property_initialisers()
    {
        var run = TumourRun.Bind([], NoEnvironment);

        run.LearningRate.Should().Be(3e-3);
        run.Rank.Should().BeNull();
        run.Epochs.Should().Be(60);
        run.Optimizer.Should().Be(SweepOptimizer.AdamW);
        TumourRun.Info.ModelMember.Should().Be("CreateModel");
        TumourRun.Info.DatasetMember.Should().Be("Data");
    }

    [Fact]
    public void Command_line_beats_environment_beats_config_file_beats_default()
    {
        var config = Path.Combine(directory, "run.json");
        File.WriteAllText(config, """{ "learning-rate": 0.5, "epochs": 7, "rank": 2, "Tag": "from-json", "use_bias": true }""");
        var environment = new Dictionary<string, string> { ["PEFTSHARP_EPOCHS"] = "8", ["PEFTSHARP_RANK"] = "4" };

        var run = TumourRun.Bind(["--config", config, "--rank", "8", "--optimizer", "sgd"], n => environment.GetValueOrDefault(n));

        run.Rank.Should().Be(8, "the command line wins");
        run.Epochs.Should().Be(8, "the environment beats the file");
        run.LearningRate.Should().Be(0.5, "the file beats the default");
        run.Tag.Should().Be("from-json");
        run.UseBias.Should().BeTrue();
        run.Optimizer.Should().Be(SweepOptimizer.Sgd);
    }

    [Theory]
    [InlineData(new[] { "--epochs", "0" }, "Hyperparameter --epochs (int) got '0' from --epochs, but it must be from 1 to 1000.")]
    [InlineData(new[] { "--rank", "3" }, "Hyperparameter --rank (int?) got '3' from --rank, but valid values are 2, 4, 8.")]
    [InlineData(new[] { "--learning-rate", "fast" }, "Hyperparameter --learning-rate (double) got 'fast' from --learning-rate, but it must be a finite number such as 3e-4 from 1E-08 to 10.")]
    [InlineData(new[] { "--optimizer", "adam" }, "valid values are AdamW, Sgd")]
    [InlineData(new[] { "--lr", "1" }, "Unknown option --lr for tumour-lora. Valid options: --learning-rate, --rank, --epochs, --use-bias, --optimizer, --tag")]
    [InlineData(new[] { "--epochs" }, "--epochs needs a value (int from 1 to 1000).")]
    public void Invalid_values_name_the_parameter_and_what_is_valid(string[] args, string message)
    {
        var bind = () => TumourRun.Bind(args, NoEnvironment);

        bind.Should().Throw<ExperimentBindingException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Environment_errors_name_the_variable()
    {
        var bind = () => TumourRun.Bind([], n => n == "PEFTSHARP_RANK" ? "5" : null);

        bind.Should().Throw<ExperimentBindingException>().WithMessage("*from environment variable PEFTSHARP_RANK*");
    }

    [Fact]
    public void Help_lists_every_parameter_with_type_default_and_description()
    {
        var help = TumourRun.HelpText;

        help.Should().Contain("Adapts a tumour classifier.")
            .And.MatchRegex(@"--learning-rate <double>\s+AdamW learning rate; default: 0.003; valid: from 1E-08 to 10; sweep: 1e-3, 3e-3; env: PEFTSHARP_LEARNING_RATE")
            .And.MatchRegex(@"--rank <int\?>\s+LoRA rank override; default: unset; one of: 2, 4, 8")
            .And.MatchRegex(@"--optimizer <SweepOptimizer>\s+default: AdamW; one of: AdamW, Sgd")
            .And.Contain("--use-bias <bool>").And.Contain("--tag <string?>").And.Contain("--config <path>");
    }

    [Fact]
    public void ToParameters_uses_snake_case_invariant_values_and_skips_unset()
    {
        var run = TumourRun.Bind(["--learning-rate", "1e-4", "--use-bias"], NoEnvironment);

        run.ToParameters().Should().Equal(new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["epochs"] = "60",
            ["learning_rate"] = "0.0001",
            ["optimizer"] = "AdamW",
            ["use_bias"] = "true",
        });
    }

    [Fact]
    public void Grid_sweeps_the_declared_values_and_keeps_command_line_values_fixed()
    {
        TumourRun.Grid([], NoEnvironment).Select(r => (r.LearningRate, r.Rank)).Should().Equal((1e-3, 4), (1e-3, 8), (3e-3, 4), (3e-3, 8));
        TumourRun.Grid(["--rank", "2"], NoEnvironment).Select(r => (r.LearningRate, r.Rank)).Should().Equal((1e-3, 2), (3e-3, 2));
    }

    [Fact]
    public void Random_sweep_is_reproducible_from_its_seed()
    {
        var first = TumourRun.RandomSweep([], 6, seed: 11, NoEnvironment).Select(r => (r.LearningRate, r.Rank)).ToList();
        var again = TumourRun.RandomSweep([], 6, seed: 11, NoEnvironment).Select(r => (r.LearningRate, r.Rank)).ToList();

        first.Should().HaveCount(6).And.Equal(again);
        first.Should().OnlyContain(p => (p.LearningRate == 1e-3 || p.LearningRate == 3e-3) && (p.Rank == 4 || p.Rank == 8));
    }

    [Fact]
    public async Task Host_prints_help_reports_errors_and_runs_each_sweep_point()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var seen = new List<TumourRun>();

        (await ExperimentHost.RunAsync<TumourRun>(["--help"], r => Task.FromResult(0), output, error, NoEnvironment)).Should().Be(0);
        output.ToString().Should().Contain("Usage: tumour-lora [options]");
        (await ExperimentHost.RunAsync<TumourRun>(["--epochs", "-1"], r => Task.FromResult(0), output, error, NoEnvironment)).Should().Be(2);
        error.ToString().Should().Contain("--epochs").And.Contain("Run with --help");
        (await ExperimentHost.RunAsync<TumourRun>(["--sweep", "grid"], r => { seen.Add(r); return Task.FromResult(0); }, output, error, NoEnvironment)).Should().Be(0);
        seen.Should().HaveCount(4);
    }
}
