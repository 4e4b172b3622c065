namespace PeftSharp.Generators.Tests;

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

/// <summary>
/// The pipeline caches its models: an edit that does not touch annotated code must not redo or re-emit anything, and
/// no model may hold symbols or compilations (they would never compare equal and would keep old compilations alive).
/// </summary>
public sealed class IncrementalityTests
{
    // Mirrors PeftSharp.Generators.Common.TrackingNames (internal to the generator).
    private static readonly string[] TrackingNames =
    [
        "PeftSharp.LoraFields",
        "PeftSharp.TrainableFields",
        "PeftSharp.Classes",
        "PeftSharp.Models",
        "PeftSharp.Diagnostics",
    ];

    private const string Unrelated = """
        namespace Clinic.Util;

        // First version of an unrelated file.
        internal static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(
            (TestSources.TumourClassifier, "/src/TumourClassifier.cs"), (Unrelated, "/src/Helpers.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        first.GeneratedSources.Should().ContainSingle();

        var oldTree = compilation.SyntaxTrees.Single(t => t.FilePath == "/src/Helpers.cs");
        var newTree = CSharpSyntaxTree.ParseText(
            Unrelated.Replace("First version", "Second version", StringComparison.Ordinal),
            GeneratorHarness.ParseOptions,
            "/src/Helpers.cs");
        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult().Results.Single();

        // The diagnostics step has no items for a valid model; every other step must have run and been reused.
        foreach (var name in TrackingNames.Where(n => n != "PeftSharp.Diagnostics"))
        {
            second.TrackedSteps.Should().ContainKey(name);
        }

        var reasons = second.TrackedSteps
            .Where(step => TrackingNames.Contains(step.Key))
            .SelectMany(step => step.Value)
            .SelectMany(run => run.Outputs)
            .Select(output => output.Reason)
            .ToList();
        reasons.Should().NotBeEmpty();
        reasons.Should().OnlyContain(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged);
        second.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs)
            .Should().OnlyContain(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void EditMovingTheClassDownDoesNotReEmitSource()
    {
        var compilation = GeneratorHarness.CreateCompilation((TestSources.TumourClassifier, "/src/TumourClassifier.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        // Shifts every position: the field models change (they carry positions for ordering) but the emitted model does not.
        var oldTree = compilation.SyntaxTrees.Single();
        var newTree = CSharpSyntaxTree.ParseText(
            "// A new header comment.\n" + TestSources.TumourClassifier, GeneratorHarness.ParseOptions, "/src/TumourClassifier.cs");
        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult().Results.Single();

        second.TrackedSteps["PeftSharp.Models"].SelectMany(run => run.Outputs)
            .Should().OnlyContain(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void ChangingAnAttributeValueRegeneratesTheSource()
    {
        var compilation = GeneratorHarness.CreateCompilation((TestSources.TumourClassifier, "/src/TumourClassifier.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.Single();
        var newTree = CSharpSyntaxTree.ParseText(
            TestSources.TumourClassifier.Replace("[LoraTarget(4)]", "[LoraTarget(6)]", StringComparison.Ordinal),
            GeneratorHarness.ParseOptions,
            "/src/TumourClassifier.cs");
        var second = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult().Results.Single();

        second.TrackedSteps["PeftSharp.Models"].SelectMany(run => run.Outputs)
            .Should().Contain(o => o.Reason == IncrementalStepRunReason.Modified);
        second.GeneratedSources.Single().SourceText.ToString().Should().Contain("\"hidden2\", global::PeftSharp.AdapterMethod.Lora, 6,");
    }

    [Fact]
    public void TrackedModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        // Includes a broken class so the diagnostics step has outputs to inspect too.
        var broken = TestSources.Model("[LoraTarget] private Linear hidden = nn.Linear(2, 2);");
        var compilation = GeneratorHarness.CreateCompilation(TestSources.TumourClassifier, broken);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps
            .Where(step => TrackingNames.Contains(step.Key))
            .SelectMany(step => step.Value.SelectMany(run => run.Outputs).Select(o => (step.Key, o.Value)))
            .ToList();
        outputs.Select(o => o.Key).Distinct().Should().BeEquivalentTo(TrackingNames);
        foreach (var (step, value) in outputs)
        {
            AssertHoldsNoRoslynObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    // The Roslyn cookbook check: walk the model graph and fail on anything tied to a compilation.
    private static void AssertHoldsNoRoslynObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        value.Should().NotBeAssignableTo<ISymbol>(path);
        value.Should().NotBeAssignableTo<Compilation>(path);
        value.Should().NotBeAssignableTo<SemanticModel>(path);
        value.Should().NotBeAssignableTo<SyntaxNode>(path);
        value.Should().NotBeAssignableTo<SyntaxTree>(path);
        value.Should().NotBeAssignableTo<Location>(path);
        if (!value.GetType().IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is IEnumerable items)
        {
            var index = 0;
            foreach (var item in items)
            {
                AssertHoldsNoRoslynObjects(item, $"{path}[{index++}]", visited);
            }

            return;
        }

        // Descend only into the generator's own types; descriptors and text spans are plain values.
        if (value.GetType().Namespace?.StartsWith("PeftSharp.Generators", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
        }
    }
}
