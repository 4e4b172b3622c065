namespace PeftSharp.Generators.Tests;

using System.Linq;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Xunit;

/// <summary>[Experiment] classes: generated binding that compiles, and each experiment diagnostic.</summary>
public sealed class ExperimentGeneratorTests
{
    public const string Template = """
        using PeftSharp.Training.Experiments;

        namespace Clinic.Runs;

        /// <summary>Optimizers.</summary>
        public enum Optimizer
        {
            /// <summary>AdamW.</summary>
            AdamW,

            /// <summary>SGD.</summary>
            Sgd,
        }

        /// <summary>An experiment.</summary>
        [Experiment("tumour-lora", Description = "Adapts a tumour classifier.")]
        public sealed partial class TumourRun
        {
            MEMBERS

            /// <summary>The model.</summary>
            [Model]
            public string CreateModel() => "model";

            /// <summary>The data.</summary>
            [Dataset]
            public string LoadData() => "data";
        }
        """;

    public static string Experiment(string members) => Template.Replace("MEMBERS", members, System.StringComparison.Ordinal);

    [Fact]
    public void Every_supported_type_binds_and_the_generated_code_compiles()
    {
        var source = Experiment("""
            /// <summary>Rate.</summary>
            [Hyperparameter(Description = "AdamW learning rate", Min = 1e-8, Max = 10, Sweep = new[] { "1e-4", "3e-4" })]
            public double LearningRate { get; init; } = 3e-4;

            /// <summary>Rank.</summary>
            [Hyperparameter(Name = "r", Allowed = new[] { "4", "8", "16" })]
            public int? Rank { get; set; }

            /// <summary>Steps.</summary>
            public long Steps { get; set; } = 100;

            /// <summary>Scale.</summary>
            public float Scale { get; set; } = 0.5f;

            /// <summary>Flag.</summary>
            public bool UseBias { get; set; }

            /// <summary>Device.</summary>
            [Hyperparameter(Allowed = new[] { "cpu", "cuda" })]
            public string Device { get; set; } = "cpu";

            /// <summary>Tag.</summary>
            public string? Tag { get; set; }

            /// <summary>Optimizer.</summary>
            public Optimizer Optimizer { get; set; } = Optimizer.AdamW;

            /// <summary>Fallback optimizer.</summary>
            public Optimizer? Fallback { get; set; }

            /// <summary>Not a hyperparameter: get-only.</summary>
            public int Derived => 2;
            """);

        var (result, output) = GeneratorHarness.Run(source);

        result.Diagnostics.Should().BeEmpty();
        var generated = result.GeneratedSources.Should().ContainSingle().Subject;
        generated.HintName.Should().Be("Clinic.Runs.TumourRun.Experiment.g.cs");
        var text = generated.SourceText.ToString();
        text.Should().Contain("partial class TumourRun : global::PeftSharp.Training.Experiments.IExperiment<TumourRun>")
            .And.Contain("\"LearningRate\", \"learning-rate\", \"learning_rate\", \"PEFTSHARP_LEARNING_RATE\", global::PeftSharp.Training.Experiments.ParameterKind.Real64, \"double\", false, \"AdamW learning rate\", 1E-08d, 10d, global::System.Array.Empty<string>(), new string[] { \"1e-4\", \"3e-4\" }")
            .And.Contain("\"Rank\", \"r\", \"rank\", \"PEFTSHARP_R\", global::PeftSharp.Training.Experiments.ParameterKind.Whole32, \"int?\", true")
            .And.Contain("Optimizer = values.ReadEnum<global::Clinic.Runs.Optimizer>(__peftInfo.Parameters[7], defaults.Optimizer),")
            .And.Contain("Tag = values.ReadNullableString(")
            .And.Contain("\"CreateModel\",")
            .And.Contain("\"LoadData\");")
            .And.NotContain("Derived");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "PEFT001",
            "class 'TumourRun' must be partial because PeftSharp generates the experiment binding of 'TumourRun' into it",
            Experiment("").Replace("public sealed partial class TumourRun", "public sealed class [|TumourRun|]", System.StringComparison.Ordinal)
        },
        {
            "PEFT012",
            "Hyperparameter 'Shape' of experiment 'tumour-lora' has type 'int[]'",
            Experiment("/// <summary>Bad.</summary>\npublic int[] [|Shape|] { get; set; } = [];")
        },
        {
            "PEFT013",
            "Hyperparameters 'Lr' and 'LearningRate' of experiment 'tumour-lora' are both named --lr",
            Experiment("/// <summary>A.</summary>\npublic double Lr { get; set; }\n/// <summary>B.</summary>\n[Hyperparameter(Name = \"lr\")]\npublic double [|LearningRate|] { get; set; }")
        },
        {
            "PEFT013",
            "named --config",
            Experiment("/// <summary>A.</summary>\npublic string [|Config|] { get; set; } = \"\";")
        },
        {
            "PEFT014",
            "Experiment 'TumourRun' declares no model; add a member marked [Model]",
            Experiment("").Replace("[Model]", string.Empty, System.StringComparison.Ordinal).Replace("public sealed partial class TumourRun", "public sealed partial class [|TumourRun|]", System.StringComparison.Ordinal)
        },
        {
            "PEFT014",
            "declares no dataset; add a member marked [Dataset]",
            Experiment("").Replace("[Dataset]", string.Empty, System.StringComparison.Ordinal).Replace("public sealed partial class TumourRun", "public sealed partial class [|TumourRun|]", System.StringComparison.Ordinal)
        },
        {
            "PEFT015",
            "Min (10) is greater than Max (1)",
            Experiment("/// <summary>A.</summary>\n[Hyperparameter(Min = 10, Max = 1)]\npublic double [|Rate|] { get; set; }")
        },
        {
            "PEFT015",
            "the value 'x' in Allowed or Sweep is not a number",
            Experiment("/// <summary>A.</summary>\n[Hyperparameter(Sweep = new[] { \"1\", \"x\" })]\npublic double [|Rate|] { get; set; }")
        },
        {
            "PEFT015",
            "the value 'Adam' in Allowed or Sweep is not a member of Optimizer",
            Experiment("/// <summary>A.</summary>\n[Hyperparameter(Sweep = new[] { \"Adam\" })]\npublic Optimizer [|Opt|] { get; set; }")
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_diagnostic_at_the_marked_span(string id, string messagePart, string markup)
    {
        var (source, span) = GeneratorHarness.ParseMarkup(markup);
        var compilation = GeneratorHarness.CreateCompilation(source);
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty();

        var (result, _) = GeneratorHarness.Run(compilation);

        var diagnostic = result.Diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be(id);
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Should().Contain(messagePart);
        diagnostic.Location.SourceSpan.Should().Be(span);
        result.GeneratedSources.Should().BeEmpty();
    }

    [Theory]
    [InlineData("LearningRate", "learning-rate", "learning_rate")]
    [InlineData("HTTPPort", "http-port", "http_port")]
    [InlineData("Layer2Norm", "layer2-norm", "layer2_norm")]
    [InlineData("Seed", "seed", "seed")]
    public void Names_are_kebab_and_snake_case(string property, string cli, string log)
    {
        PeftSharp.Generators.Experiments.ExperimentParser.Case(property, '-').Should().Be(cli);
        PeftSharp.Generators.Experiments.ExperimentParser.Case(property, '_').Should().Be(log);
    }
}
