namespace PeftSharp.Generators.Tests;

using FluentAssertions;
using Xunit;

/// <summary>TorchSharp registers a field under its [ComponentName]; the module path must be that name, not the field name.</summary>
public sealed class ComponentNameTests
{
    [Fact]
    public void ComponentNameReplacesFieldNameAsModulePath()
    {
        var source = TestSources.Model("""
            [LoraTarget(4), ComponentName(Name = "fc1")] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);
            [Trainable, ComponentName(Name = "score")] private nn.Module<Tensor, Tensor> head = nn.Linear(2, 2);

            /// <summary>Reads the layers so the fields count as used.</summary>
            public nn.Module<Tensor, Tensor>[] Layers => [hidden, head];
            """);

        var (result, output) = GeneratorHarness.Run(source);

        var text = GeneratorHarness.SingleSource(result);
        text.Should().Contain("new global::PeftSharp.AdapterTarget(\"fc1\", global::PeftSharp.AdapterMethod.Lora, 4, 8d, 0d),")
            .And.Contain("this.hidden = global::PeftSharp.AdapterWiring.Wrap(this, \"fc1\", this.hidden, target);")
            .And.Contain("new string[] { \"score\" }")
            .And.NotContain("\"hidden\"")
            .And.NotContain("\"head\"");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    [Fact]
    public void ComponentNameIsEscapedAsAStringLiteral()
    {
        var source = TestSources.Model("""
            [LoraTarget, ComponentName(Name = "odd\"name\\x")] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);

            /// <summary>Reads the layer so the field counts as used.</summary>
            public nn.Module<Tensor, Tensor> Hidden => hidden;
            """);

        var (result, output) = GeneratorHarness.Run(source);

        GeneratorHarness.SingleSource(result).Should().Contain("AdapterTarget(\"odd\\\"name\\\\x\"");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }
}
