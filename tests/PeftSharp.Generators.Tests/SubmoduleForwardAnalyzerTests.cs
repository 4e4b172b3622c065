namespace PeftSharp.Generators.Tests;

using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PeftSharp.Generators.Analyzers;
using Xunit;

/// <summary>PEFT017: a module running a submodule with forward() skips that submodule's hooks.</summary>
public sealed class SubmoduleForwardAnalyzerTests
{
    private const string Prelude = """
        using TorchSharp;
        using static TorchSharp.torch;

        public sealed class Net : nn.Module<Tensor, Tensor>
        {
            private readonly nn.Module<Tensor, Tensor> inner = nn.Linear(4, 4);
            private readonly TorchSharp.Modules.Linear head = nn.Linear(4, 2);

            public Net() : base(nameof(Net)) => RegisterComponents();

            private nn.Module<Tensor, Tensor> Inner => inner;

            private static nn.Module<Tensor, Tensor> Make() => nn.ReLU();

            public override Tensor forward(Tensor x)
            {

        """;

    private const string Epilogue = """

            }
        }
        """;

    [Theory]
    [InlineData("return inner.forward(x);", "inner")]
    [InlineData("return head.forward(x);", "head")]
    [InlineData("return Inner.forward(x);", "Inner")]
    [InlineData("return Make().forward(x);", "Make()")]
    public async Task Running_a_submodule_with_forward_is_reported(string body, string receiver)
    {
        var diagnostics = await AnalyzeAsync(Prelude + body + Epilogue);

        var diagnostic = diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be("PEFT017");
        diagnostic.Severity.Should().Be(DiagnosticSeverity.Warning);
        diagnostic.GetMessage(CultureInfo.InvariantCulture).Should().StartWith($"'{receiver}.forward(...)' skips the hooks")
            .And.Contain($"use '{receiver}.call(...)'");
    }

    [Theory]
    [InlineData("return inner.call(x);")]
    [InlineData("return head.call(inner.call(x));")]
    [InlineData("return x.relu();")]
    public async Task Running_submodules_with_call_is_not_reported(string body)
    {
        (await AnalyzeAsync(Prelude + body + Epilogue)).Should().BeEmpty();
    }

    [Fact]
    public async Task Code_outside_modules_and_a_module_s_own_forward_are_not_reported()
    {
        var diagnostics = await AnalyzeAsync("""
            using TorchSharp;
            using static TorchSharp.torch;

            public static class Evaluation
            {
                // The model itself, run by code that is no module: its submodules' hooks run inside.
                public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor x) => model.forward(x);
            }

            public sealed class Twice : nn.Module<Tensor, Tensor>
            {
                public Twice() : base(nameof(Twice)) { }

                public Tensor Again(Tensor x) => this.forward(forward(x));

                public override Tensor forward(Tensor x) => x.relu();
            }
            """);

        diagnostics.Should().BeEmpty();
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source)
    {
        var compilation = GeneratorHarness.CreateCompilation(source);
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty("the test source must compile");
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SubmoduleForwardAnalyzer());
        var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Id == "PEFT017").ToImmutableArray();
    }
}
