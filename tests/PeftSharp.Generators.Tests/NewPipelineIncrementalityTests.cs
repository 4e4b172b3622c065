namespace PeftSharp.Generators.Tests;

using System;
using System.Linq;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

/// <summary>The experiment, class-target and accessor pipelines stay cached across an unrelated edit too.</summary>
public sealed class NewPipelineIncrementalityTests
{
    private static readonly string[] Steps = ["PeftSharp.Experiments", "PeftSharp.ClassTargets", "PeftSharp.Accessors", "PeftSharp.IA3Fields", "PeftSharp.Models"];

    private const string Unrelated = """
        namespace Clinic.Util;

        // First version of an unrelated file.
        internal static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    [Fact]
    public void Unrelated_edit_leaves_the_new_steps_cached()
    {
        var experiment = ExperimentGeneratorTests.Experiment("/// <summary>Rate.</summary>\npublic double LearningRate { get; set; } = 0.1;");
        var tree = ClassTargetTests.Tree.Replace("ATTRIBUTES", "[LoraTargets(\"query\")]", StringComparison.Ordinal)
            .Replace("private nn.Module<Tensor, Tensor> head", "[IA3Target] private nn.Module<Tensor, Tensor> head", StringComparison.Ordinal);
        var compilation = GeneratorHarness.CreateCompilation(
            (experiment, "/src/Run.cs"), (tree, "/src/Encoder.cs"), (Unrelated, "/src/Helpers.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        first.Diagnostics.Should().BeEmpty();
        first.GeneratedSources.Should().HaveCount(3);

        var oldTree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/Helpers.cs");
        var newTree = CSharpSyntaxTree.ParseText(
            Unrelated.Replace("First version", "Second version", StringComparison.Ordinal), GeneratorHarness.ParseOptions, "/src/Helpers.cs");
        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult().Results.Single();

        foreach (var step in Steps)
        {
            second.TrackedSteps.Should().ContainKey(step);
            second.TrackedSteps[step].SelectMany(run => run.Outputs).Select(o => o.Reason).Should()
                .OnlyContain(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged, "step {0} must be reused", step);
        }

        second.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs)
            .Should().OnlyContain(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }
}
