namespace PeftSharp.Generators.Tests;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

/// <summary>Compiles test sources against .NET 10, TorchSharp and PeftSharp metadata and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    /// <summary>Parse options of a current .NET 10 project; documentation diagnostics catch undocumented generated members.</summary>
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    // Metadata only: TorchSharp's natives are never loaded, typeof(...) does not run its static constructor.
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(PeftSharp.IAdaptableModel).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(PeftSharp.Training.Experiments.ExperimentHost).Assembly.Location),
    ];

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(sources.Select((s, i) => (s, $"/src/File{i}.cs")).ToArray());

    public static CSharpCompilation CreateCompilation(params (string Source, string Path)[] sources) =>
        CSharpCompilation.Create(
            "UserModels",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, ParseOptions, s.Path)),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                // The SDK suppresses these by default: TorchSharp targets net8.0 and unifies with .NET 10's assemblies.
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new PeftSharpGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns its result and the compilation with the generated files added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources) => Run(CreateCompilation(sources));

    public static (GeneratorRunResult Result, Compilation Output) Run(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        result.Exception.Should().BeNull("a generator exception would otherwise only show up as warning CS8785");
        return (result, output);
    }

    /// <summary>The text of the single generated file.</summary>
    public static string SingleSource(GeneratorRunResult result)
    {
        result.Diagnostics.Should().BeEmpty();
        return result.GeneratedSources.Should().ContainSingle().Subject.SourceText.ToString();
    }

    /// <summary>Every warning or error of a compilation, formatted for a readable assertion failure.</summary>
    public static IReadOnlyList<string> Problems(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();

    /// <summary>Removes one <c>[|...|]</c> marker from <paramref name="markup"/> and returns the marked span.</summary>
    public static (string Source, Microsoft.CodeAnalysis.Text.TextSpan Span) ParseMarkup(string markup)
    {
        var start = markup.IndexOf("[|", StringComparison.Ordinal);
        var end = markup.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new ArgumentException("Markup needs one [|...|] span.", nameof(markup));
        }

        var source = markup.Remove(end, 2).Remove(start, 2);
        return (source, new Microsoft.CodeAnalysis.Text.TextSpan(start, end - start - 2));
    }
}
