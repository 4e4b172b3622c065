namespace PeftSharp.Generators.Tests;

using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>The generated code compiles cleanly with the user's code, so it never breaks a TreatWarningsAsErrors build.</summary>
public sealed class GeneratedCodeCompilationTests
{
    [Fact]
    public void ExampleCompilesWithoutErrorsOrWarnings()
    {
        var (result, output) = GeneratorHarness.Run(TestSources.TumourClassifier);

        result.GeneratedSources.Should().ContainSingle();
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void ExampleImplementsIAdaptableModel()
    {
        var (_, output) = GeneratorHarness.Run(TestSources.TumourClassifier);

        var model = output.GetTypeByMetadataName("Clinic.Models.TumourClassifier");
        model.Should().NotBeNull();
        model!.AllInterfaces.Select(i => i.ToDisplayString()).Should().Contain("PeftSharp.IAdaptableModel");
    }

    [Fact]
    public void ClassWithOnlyTrainableFieldsGetsAnEmptyPlan()
    {
        var source = TestSources.Model("""
            [Trainable] private Linear head = nn.Linear(4, 2);

            /// <summary>Reads the head so the field counts as used.</summary>
            public Linear Head => head;
            """);

        var (result, output) = GeneratorHarness.Run(source);

        GeneratorHarness.SingleSource(result).Should()
            .Contain("__peftAdapterPlan = global::System.Array.Empty<global::PeftSharp.AdapterTarget>();")
            .And.Contain("new string[] { \"head\" }");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void NullableFieldIsReadWithNullForgivingOperator()
    {
        var source = TestSources.Model("""
            [LoraTarget] private nn.Module<Tensor, Tensor>? layer = nn.Linear(4, 4);

            /// <summary>Reads the layer so the field counts as used.</summary>
            public nn.Module<Tensor, Tensor>? Layer => layer;
            """);

        var (result, output) = GeneratorHarness.Run(source);

        GeneratorHarness.SingleSource(result).Should()
            .Contain("this.layer = global::PeftSharp.AdapterWiring.Wrap(this, \"layer\", this.layer!, target);");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void DefaultsComeFromLoraDefaultsAndDoublesRoundTrip()
    {
        var source = TestSources.Model("""
            [LoraTarget] private nn.Module<Tensor, Tensor> a = nn.Linear(4, 4);
            [LoraTarget(16, Alpha = 0.1, Dropout = 0.05)] private nn.Module<Tensor, Tensor> b = nn.Linear(4, 4);
            [LoraTarget(2, Alpha = 1e-5, Dropout = 0.1 + 0.2)] private nn.Module<Tensor, Tensor> c = nn.Linear(4, 4);

            /// <summary>Reads the layers so the fields count as used.</summary>
            public nn.Module<Tensor, Tensor>[] Layers => [a, b, c];
            """);

        var (result, output) = GeneratorHarness.Run(source);

        GeneratorHarness.SingleSource(result).Should()
            .Contain("(\"a\", global::PeftSharp.AdapterMethod.Lora, 8, 8d, 0d)")
            .And.Contain("(\"b\", global::PeftSharp.AdapterMethod.Lora, 16, 0.1d, 0.05d)")
            .And.Contain("(\"c\", global::PeftSharp.AdapterMethod.Lora, 2, 1E-05d, 0.30000000000000004d)");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void OutputDoesNotDependOnTheCurrentCulture()
    {
        var source = TestSources.Model("""
            [LoraTarget(8, Alpha = 0.5, Dropout = 0.25)] private nn.Module<Tensor, Tensor> layer = nn.Linear(4, 4);

            /// <summary>Reads the layer so the field counts as used.</summary>
            public nn.Module<Tensor, Tensor> Layer => layer;
            """);
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // German writes 0,5: a culture-sensitive format would emit a literal that does not compile.
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var (result, output) = GeneratorHarness.Run(source);

            GeneratorHarness.SingleSource(result).Should().Contain("8, 0.5d, 0.25d)");
            GeneratorHarness.Problems(output).Should().BeEmpty();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void EveryVariableOfAMultiVariableFieldIsATarget()
    {
        var source = TestSources.Model("""
            [LoraTarget(4)] private nn.Module<Tensor, Tensor> query = nn.Linear(4, 4), value = nn.Linear(4, 4);

            /// <summary>Reads the layers so the fields count as used.</summary>
            public nn.Module<Tensor, Tensor>[] Layers => [query, value];
            """);

        var (result, output) = GeneratorHarness.Run(source);

        var text = GeneratorHarness.SingleSource(result);
        text.Should().Contain("AdapterTarget(\"query\"").And.Contain("AdapterTarget(\"value\"");
        text.IndexOf("\"query\"", System.StringComparison.Ordinal).Should().BeLessThan(text.IndexOf("\"value\"", System.StringComparison.Ordinal));
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void KeywordFieldNamesAreEscaped()
    {
        var source = TestSources.Model("""
            [LoraTarget] private nn.Module<Tensor, Tensor> @base = nn.Linear(4, 4);

            /// <summary>Reads the layer so the field counts as used.</summary>
            public nn.Module<Tensor, Tensor> Base => @base;
            """);

        var (result, output) = GeneratorHarness.Run(source);

        GeneratorHarness.SingleSource(result).Should().Contain("this.@base = global::PeftSharp.AdapterWiring.Wrap(this, \"base\", this.@base, target);");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }
}
