namespace PeftSharp.Generators.Tests;

using System.Linq;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Xunit;

/// <summary>Each diagnostic fires with its id at the marked span, and the broken class gets no generated code.</summary>
public sealed class DiagnosticTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "PEFT001",
            "'TumourClassifier' must be partial",
            """
            using PeftSharp;
            using static TorchSharp.torch;

            /// <summary>Not partial.</summary>
            public sealed class [|TumourClassifier|] : nn.Module<Tensor, Tensor>
            {
                [LoraTarget] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);

                /// <summary>Creates the model.</summary>
                public TumourClassifier() : base("m") => RegisterComponents();

                /// <inheritdoc />
                public override Tensor forward(Tensor x) => hidden.forward(x);
            }
            """
        },
        {
            "PEFT001",
            "class 'Outer' must be partial because PeftSharp generates the adapter wiring of 'Inner' into it",
            """
            using PeftSharp;
            using static TorchSharp.torch;

            /// <summary>Contains the model but is not partial.</summary>
            public static class [|Outer|]
            {
                /// <summary>Partial itself.</summary>
                public sealed partial class Inner : nn.Module<Tensor, Tensor>
                {
                    [LoraTarget] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);

                    /// <summary>Creates the model.</summary>
                    public Inner() : base("m") => RegisterComponents();

                    /// <inheritdoc />
                    public override Tensor forward(Tensor x) => hidden.forward(x);
                }
            }
            """
        },
        {
            "PEFT002",
            "declared as 'TorchSharp.Modules.Linear', a sealed layer type",
            TestSources.Model("[LoraTarget] private Linear [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT002",
            "declared as 'TorchSharp.torch.nn.Module'",
            TestSources.Model("[LoraTarget] private nn.Module [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "rank is 0, but it must be a positive integer",
            TestSources.Model("[LoraTarget([|0|])] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "rank is -2, but it must be a positive integer",
            TestSources.Model("[LoraTarget([|rank: -2|], Alpha = 4)] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "Alpha is -1, but it must be a positive finite number",
            TestSources.Model("[LoraTarget(8, [|Alpha = -1|])] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "Alpha is NaN",
            TestSources.Model("[LoraTarget(8, [|Alpha = double.NaN|])] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "Alpha is Infinity",
            TestSources.Model("[LoraTarget(8, [|Alpha = double.PositiveInfinity|])] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "Dropout is 1, but it must be in [0, 1)",
            TestSources.Model("[LoraTarget(8, [|Dropout = 1|])] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT003",
            "Dropout is -0.1",
            TestSources.Model("[LoraTarget(8, [|Dropout = -0.1|])] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
        },
        {
            "PEFT004",
            "Field 'hidden' has both [LoraTarget] and [Trainable]",
            TestSources.Model("[LoraTarget, Trainable] private nn.Module<Tensor, Tensor> [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT005",
            "Class 'NotAModule' has [LoraTarget] or [Trainable] fields but does not derive from TorchSharp.torch.nn.Module",
            """
            using PeftSharp;
            using static TorchSharp.torch;

            /// <summary>Holds a layer but is no module.</summary>
            public sealed partial class [|NotAModule|]
            {
                [LoraTarget] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);

                /// <summary>Uses the layer.</summary>
                public Tensor Run(Tensor x) => hidden.forward(x);
            }
            """
        },
        {
            "PEFT006",
            "[LoraTarget] field 'hidden' is readonly",
            TestSources.Model("[LoraTarget] private readonly nn.Module<Tensor, Tensor> [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT006",
            "[LoraTarget] field 'hidden' is static readonly",
            TestSources.Model("[LoraTarget] private static readonly nn.Module<Tensor, Tensor> [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT006",
            "[Trainable] field 'head' is static",
            TestSources.Model("[Trainable] private static nn.Module<Tensor, Tensor> [|head|] = nn.Linear(2, 2);")
        },
        {
            "PEFT007",
            "[Trainable] field 'scale' is declared as 'TorchSharp.Modules.Parameter', which is not a TorchSharp module",
            TestSources.Model("[Trainable] private Parameter [|scale|] = new Parameter(ones(1));")
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsDiagnosticAtTheMarkedSpanAndGeneratesNothing(string id, string messagePart, string markup)
    {
        var (source, span) = GeneratorHarness.ParseMarkup(markup);
        var compilation = GeneratorHarness.CreateCompilation(source);
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should()
            .BeEmpty("the test input itself must be valid C#");

        var (result, _) = GeneratorHarness.Run(compilation);

        var diagnostic = result.Diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be(id);
        diagnostic.Severity.Should().Be(DiagnosticSeverity.Error);
        diagnostic.Descriptor.Category.Should().Be("PeftSharp");
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Should().Contain(messagePart);
        diagnostic.Location.SourceSpan.Should().Be(span, "the diagnostic should point at {0}", source.Substring(span.Start, span.Length));
        diagnostic.Location.GetLineSpan().Path.Should().Be("/src/File0.cs");
        result.GeneratedSources.Should().BeEmpty("a class with an error gets no generated code");
    }

    [Fact]
    public void ClassLevelDiagnosticIsReportedOncePerClass()
    {
        var source = """
            using PeftSharp;
            using static TorchSharp.torch;

            /// <summary>Not partial, with three annotated fields.</summary>
            public sealed class Model : nn.Module<Tensor, Tensor>
            {
                [LoraTarget] private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2);
                [LoraTarget] private nn.Module<Tensor, Tensor> b = nn.Linear(2, 2);
                [Trainable] private nn.Module<Tensor, Tensor> c = nn.Linear(2, 2);

                /// <summary>Creates the model.</summary>
                public Model() : base("m") => RegisterComponents();

                /// <inheritdoc />
                public override Tensor forward(Tensor x) => c.forward(b.forward(a.forward(x)));
            }
            """;

        var (result, _) = GeneratorHarness.Run(source);

        result.Diagnostics.Should().ContainSingle().Which.Id.Should().Be("PEFT001");
    }

    [Fact]
    public void EachInvalidHyperparameterIsReported()
    {
        var source = TestSources.Model("[LoraTarget(0, Alpha = 0, Dropout = 2)] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);");

        var (result, _) = GeneratorHarness.Run(source);

        result.Diagnostics.Select(d => d.Id).Should().Equal("PEFT003", "PEFT003", "PEFT003");
        result.Diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))
            .Should().Contain(m => m.Contains("rank is 0"))
            .And.Contain(m => m.Contains("Alpha is 0"))
            .And.Contain(m => m.Contains("Dropout is 2"));
        result.GeneratedSources.Should().BeEmpty();
    }

    [Fact]
    public void ErrorInOneClassDoesNotStopGenerationForAnother()
    {
        var broken = TestSources.Model("[LoraTarget] private Linear hidden = nn.Linear(2, 2);");
        var healthy = """
            using PeftSharp;
            using static TorchSharp.torch;

            namespace Clinic.Other;

            /// <summary>A valid model.</summary>
            public sealed partial class Healthy : nn.Module<Tensor, Tensor>
            {
                [LoraTarget] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);

                /// <summary>Creates the model.</summary>
                public Healthy() : base("m") => RegisterComponents();

                /// <inheritdoc />
                public override Tensor forward(Tensor x) => hidden.forward(x);
            }
            """;

        var (result, _) = GeneratorHarness.Run(broken, healthy);

        result.Diagnostics.Should().ContainSingle().Which.Id.Should().Be("PEFT002");
        result.GeneratedSources.Should().ContainSingle().Which.HintName.Should().Be("Clinic.Other.Healthy.PeftSharp.g.cs");
    }
}
