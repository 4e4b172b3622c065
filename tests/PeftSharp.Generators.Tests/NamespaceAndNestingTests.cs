namespace PeftSharp.Generators.Tests;

using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>The generated partial declaration reopens exactly the user's namespace and containing types.</summary>
public sealed class NamespaceAndNestingTests
{
    private const string Body = """
            [LoraTarget] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);

            /// <summary>Creates the model.</summary>
            public NAME() : base("m") => RegisterComponents();

            /// <inheritdoc />
            public override Tensor forward(Tensor x) => hidden.forward(x);
        """;

    [Fact]
    public void GlobalNamespaceClassHasNoNamespaceDeclaration()
    {
        var source = $$"""
            using PeftSharp;
            using static TorchSharp.torch;

            /// <summary>In the global namespace.</summary>
            public sealed partial class GlobalModel : nn.Module<Tensor, Tensor>
            {
            {{Body.Replace("NAME", "GlobalModel", System.StringComparison.Ordinal)}}
            }
            """;

        var (result, output) = GeneratorHarness.Run(source);

        var generated = result.GeneratedSources.Should().ContainSingle().Subject;
        generated.HintName.Should().Be("GlobalModel.PeftSharp.g.cs");
        generated.SourceText.ToString().Should().NotContain("namespace").And.Contain("partial class GlobalModel : global::PeftSharp.IAdaptableModel");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void NestedGenericClassReopensEveryContainingType()
    {
        var source = $$"""
            using PeftSharp;
            using static TorchSharp.torch;

            namespace Clinic.Models.Deep
            {
                /// <summary>Outer container.</summary>
                public static partial class Outer
                {
                    /// <summary>Middle container, a struct.</summary>
                    public partial struct Middle
                    {
                        /// <summary>The model.</summary>
                        /// <typeparam name="T">Unused marker.</typeparam>
                        public sealed partial class Inner<T> : nn.Module<Tensor, Tensor>
                        {
            {{Body.Replace("NAME", "Inner", System.StringComparison.Ordinal)}}
                        }
                    }
                }
            }
            """;

        var (result, output) = GeneratorHarness.Run(source);

        var generated = result.GeneratedSources.Should().ContainSingle().Subject;
        generated.HintName.Should().Be("Clinic.Models.Deep.Outer.Middle.Inner_1.PeftSharp.g.cs");
        var lines = generated.SourceText.ToString().Split('\n').Select(l => l.Trim()).ToList();
        lines.Should().ContainInOrder(
            "namespace Clinic.Models.Deep",
            "partial class Outer",
            "partial struct Middle",
            "partial class Inner<T> : global::PeftSharp.IAdaptableModel",
            "throw new global::System.InvalidOperationException(\"Adapters were already applied to Inner.\");");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void RecordContainerUsesRecordKeyword()
    {
        var source = $$"""
            using PeftSharp;
            using static TorchSharp.torch;

            namespace Clinic.Models;

            /// <summary>Record container.</summary>
            public partial record Holder
            {
                /// <summary>The model.</summary>
                public sealed partial class Inner : nn.Module<Tensor, Tensor>
                {
            {{Body.Replace("NAME", "Inner", System.StringComparison.Ordinal)}}
                }
            }
            """;

        var (result, output) = GeneratorHarness.Run(source);

        GeneratorHarness.SingleSource(result).Should().Contain("partial record Holder\n");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void SameNameInTwoNamespacesGivesTwoFiles()
    {
        string Model(string ns) => $$"""
            using PeftSharp;
            using static TorchSharp.torch;

            namespace {{ns}};

            /// <summary>The model.</summary>
            public sealed partial class Classifier : nn.Module<Tensor, Tensor>
            {
            {{Body.Replace("NAME", "Classifier", System.StringComparison.Ordinal)}}
            }
            """;

        var (result, output) = GeneratorHarness.Run(Model("Clinic.A"), Model("Clinic.B"));

        result.GeneratedSources.Select(s => s.HintName).Should()
            .BeEquivalentTo("Clinic.A.Classifier.PeftSharp.g.cs", "Clinic.B.Classifier.PeftSharp.g.cs");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void PartialClassAcrossFilesGivesOneFileInDeclarationOrder()
    {
        const string First = """
            using PeftSharp;
            using static TorchSharp.torch;

            namespace Clinic.Models;

            /// <summary>The model, first part.</summary>
            public sealed partial class Split : nn.Module<Tensor, Tensor>
            {
                [LoraTarget(2)] private nn.Module<Tensor, Tensor> first = nn.Linear(2, 2);

                /// <summary>Creates the model.</summary>
                public Split() : base("m") => RegisterComponents();

                /// <inheritdoc />
                public override Tensor forward(Tensor x) => head.forward(second.forward(first.forward(x)));
            }
            """;
        const string Second = """
            using PeftSharp;
            using static TorchSharp.torch;

            namespace Clinic.Models;

            public sealed partial class Split
            {
                [LoraTarget(3)] private nn.Module<Tensor, Tensor> second = nn.Linear(2, 2);
                [Trainable] private nn.Module<Tensor, Tensor> head = nn.Linear(2, 2);
            }
            """;

        // Listed in reverse so the order must come from the file paths, not from the compilation.
        var compilation = GeneratorHarness.CreateCompilation((Second, "/src/B.cs"), (First, "/src/A.cs"));
        var (result, output) = GeneratorHarness.Run(compilation);

        var text = GeneratorHarness.SingleSource(result);
        text.IndexOf("\"first\"", System.StringComparison.Ordinal).Should()
            .BeLessThan(text.IndexOf("\"second\"", System.StringComparison.Ordinal));
        text.Should().Contain("new string[] { \"head\" }");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }
}
