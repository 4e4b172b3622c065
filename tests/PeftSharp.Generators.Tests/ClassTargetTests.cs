namespace PeftSharp.Generators.Tests;

using System.Linq;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Xunit;

/// <summary>[LoraTargets]/[IA3Targets]: names and patterns resolved over the module tree visible at compile time.</summary>
public sealed class ClassTargetTests
{
    public const string Tree = """
        using PeftSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Clinic.Models;

        /// <summary>Attention block with private layers.</summary>
        public sealed partial class Block : nn.Module<Tensor, Tensor>
        {
            private nn.Module<Tensor, Tensor> query;
            private nn.Module<Tensor, Tensor> value;
            private nn.Module<Tensor, Tensor> output;

            /// <summary>Creates the block.</summary>
            public Block() : base("block")
            {
                query = nn.Linear(4, 4);
                value = nn.Linear(4, 4);
                output = nn.Linear(4, 4);
                RegisterComponents();
            }

            /// <inheritdoc />
            public override Tensor forward(Tensor x) => output.forward(query.forward(x) + value.forward(x));
        }

        /// <summary>The model.</summary>
        ATTRIBUTES
        public sealed partial class Encoder : nn.Module<Tensor, Tensor>
        {
            private readonly ModuleList<Block> layers = new(new Block(), new Block());
            private nn.Module<Tensor, Tensor> head = nn.Linear(4, 2);

            /// <summary>Creates the model.</summary>
            public Encoder() : base("encoder") => RegisterComponents();

            /// <inheritdoc />
            public override Tensor forward(Tensor x) => head.forward(layers[0].forward(x));
        }
        """;

    private static string Source(string attributes) => Tree.Replace("ATTRIBUTES", attributes, System.StringComparison.Ordinal);

    [Fact]
    public void Names_reach_private_layers_inside_a_ModuleList_through_generated_accessors()
    {
        var (result, output) = GeneratorHarness.Run(Source("[LoraTargets(\"query\", \"value\", Rank = 4, Alpha = 8)]\n[IA3Targets(Pattern = @\"head\")]"));

        result.Diagnostics.Should().BeEmpty();
        GeneratorHarness.Problems(output).Should().BeEmpty();
        var files = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        files.Keys.Should().BeEquivalentTo("Clinic.Models.Encoder.PeftSharp.g.cs", "Clinic.Models.Block.PeftSharpAccessors.g.cs");
        files["Clinic.Models.Block.PeftSharpAccessors.g.cs"].Should()
            .Contain("internal global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor> __peft_query { get => this.query; set => this.query = value; }")
            .And.Contain("__peft_value").And.NotContain("__peft_output");
        var model = files["Clinic.Models.Encoder.PeftSharp.g.cs"];
        model.Should().Contain("\"layers.\" + __peftIndex0.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".query\", global::PeftSharp.AdapterMethod.Lora, 4, 8d, 0d)")
            .And.Contain("owner.__peft_value = global::PeftSharp.AdapterWiring.Wrap(owner, \"value\", owner.__peft_value!, target);")
            .And.Contain("new global::PeftSharp.AdapterTarget(\"head\", global::PeftSharp.AdapterMethod.IA3, 1, 1d, 0d),")
            .And.Contain("public global::System.Collections.Generic.IReadOnlyList<global::PeftSharp.AdapterTarget> AdapterPlan => __peftVisit(null, wrap: false);");
    }

    [Fact]
    public void Full_paths_and_indices_match()
    {
        var (result, output) = GeneratorHarness.Run(Source("[LoraTargets(\"layers.0.query\")]"));

        result.Diagnostics.Should().BeEmpty();
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    public static TheoryData<string, string, string> Cases => new()
    {
        { "PEFT010", "'key' matches no layer in the module tree visible at compile time; layers that can be adapted: layers.<i>.query, layers.<i>.value, layers.<i>.output, head", "[LoraTargets(\"key\")]" },
        { "PEFT010", "Pattern 'layers\\.\\d+\\.key' matches no layer", "[LoraTargets(Pattern = @\"layers\\.\\d+\\.key\")]" },
        { "PEFT010", "is not a valid regular expression", "[LoraTargets(Pattern = \"(\")]" },
        { "PEFT009", "'layers.<i>.query' is targeted by both [LoraTargets] and [IA3Targets]", "[LoraTargets(\"query\")]\n[IA3Targets(\"query\")]" },
        { "PEFT003", "rank is 0", "[LoraTargets(\"query\", Rank = 0)]" },
        { "PEFT008", "IA3 cannot adapt", "[IA3Targets(\"query\")]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_class_level_problems(string id, string messagePart, string attributes)
    {
        var source = Source(attributes);
        if (id == "PEFT008")
        {
            source = source.Replace("query = nn.Linear(4, 4);", "query = nn.Conv2d(4, 4, 1);", System.StringComparison.Ordinal);
        }

        var (result, _) = GeneratorHarness.Run(source);

        var diagnostic = result.Diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be(id);
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Should().Contain(messagePart);
        result.GeneratedSources.Should().BeEmpty();
    }

    [Fact]
    public void A_private_layer_of_a_non_partial_child_is_PEFT011()
    {
        var source = Source("[LoraTargets(\"query\")]").Replace("public sealed partial class Block", "public sealed class Block", System.StringComparison.Ordinal);

        var (result, _) = GeneratorHarness.Run(source);

        var diagnostic = result.Diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be("PEFT011");
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Should()
            .Contain("matches 'layers.<i>.query', which is a non-public field of 'Block', which is not partial; make 'Block' (and the types it is nested in) partial");
    }

    [Fact]
    public void A_sealed_Linear_layer_is_PEFT011_with_the_type_fix()
    {
        var source = Source("[LoraTargets(\"head\")]").Replace("private nn.Module<Tensor, Tensor> head", "private Linear head", System.StringComparison.Ordinal);

        var (result, _) = GeneratorHarness.Run(source);

        result.Diagnostics.Should().ContainSingle().Which.GetMessage(System.Globalization.CultureInfo.InvariantCulture)
            .Should().Contain("a sealed layer type that cannot hold the adapter wrapper; declare the field as Module<Tensor, Tensor>");
    }
}
