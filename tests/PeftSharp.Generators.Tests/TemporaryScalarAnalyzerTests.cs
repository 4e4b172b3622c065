namespace PeftSharp.Generators.Tests;

using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PeftSharp.Generators.Analyzers;
using Xunit;

/// <summary>PEFT016: a TorchSharp Scalar passed as a temporary can be finalized during the native call that reads it.</summary>
public sealed class TemporaryScalarAnalyzerTests
{
    private const string Prelude = """
        using TorchSharp;
        using static TorchSharp.torch;

        public sealed class Layer : System.IDisposable
        {
            private readonly Scalar held = 0.5.ToScalar();
            private Scalar? assigned;

            public Tensor Scale(Tensor x, double factor)
            {

        """;

    private const string Epilogue = """

            }

            public void Dispose() { held.Dispose(); assigned?.Dispose(); }
        }
        """;

    [Theory]
    [InlineData("return x.mul(factor);", "double")]
    [InlineData("return x.add(x, alpha: 2);", "int")]
    [InlineData("return x.clamp_min((Scalar)1e-9);", "double")]
    [InlineData("return x.mul(factor.ToScalar());", "ToScalar()")]
    [InlineData("var s = factor.ToScalar(); return x.mul(s);", "ToScalar()")]
    [InlineData("return x * 2.0f;", "float operand of a Tensor operator")]
    [InlineData("return 1 - x;", "int operand of a Tensor operator")]
    [InlineData("x *= factor; return x;", "double operand of a Tensor operator")]
    public async Task Temporaries_are_reported_with_what_became_the_scalar(string body, string source)
    {
        var diagnostics = await AnalyzeAsync(body);

        var diagnostic = diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be("PEFT016");
        diagnostic.Severity.Should().Be(DiagnosticSeverity.Warning);
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Should().StartWith($"This {source} becomes a temporary TorchSharp Scalar")
            .And.Contain("using var s = value.ToScalar();");
    }

    [Theory]
    [InlineData("using var s = factor.ToScalar(); return x.mul(s);")]
    [InlineData("using Scalar s = factor; return x.mul(s);")]
    [InlineData("using (var s = factor.ToScalar()) { return x.mul(s); }")]
    [InlineData("return x.mul(held);")]
    [InlineData("assigned = factor; return x.mul(assigned);")]
    [InlineData("return x.mul(x);")]
    [InlineData("return x * x;")]
    [InlineData("return x * held;")]
    public async Task Held_scalars_are_not_reported(string body)
    {
        var diagnostics = await AnalyzeAsync(body);

        diagnostics.Should().BeEmpty();
    }

    [Fact]
    public async Task A_method_returning_a_new_scalar_hands_it_to_its_caller()
    {
        var compilation = GeneratorHarness.CreateCompilation("""
            using TorchSharp;
            public static class Factory
            {
                public static Scalar Half() => 0.5.ToScalar();
                public static Scalar Quarter() { return 0.25; }
            }
            """);

        (await AnalyzeAsync(compilation)).Should().BeEmpty();
    }

    private static Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string body) =>
        AnalyzeAsync(GeneratorHarness.CreateCompilation(Prelude + body + Epilogue));

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation)
    {
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty("the test source must compile");
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new TemporaryScalarAnalyzer());
        var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Id == "PEFT016").ToImmutableArray();
    }
}
