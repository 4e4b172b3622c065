namespace PeftSharp.Tests.Generated;

using System.Linq;
using FluentAssertions;
using PeftSharp;
using Xunit;
using static TorchSharp.torch;

/// <summary>The generated ApplyAdapters() of a real partial model with class-level and IA3 targets, run on LibTorch.</summary>
public sealed class GeneratedNestedWiringTests
{
    [Fact]
    public void Plan_lists_every_element_of_the_ModuleList_and_the_IA3_field()
    {
        var model = new NestedEncoder();

        model.AdapterPlan.Select(t => (t.ModulePath, t.Method, t.Rank, t.Alpha)).Should().Equal(
            ("ffn", AdapterMethod.IA3, 1, 1d),
            ("layers.0.query", AdapterMethod.Lora, 2, 4d),
            ("layers.1.query", AdapterMethod.Lora, 2, 4d),
            ("layers.0.value", AdapterMethod.Lora, 2, 4d),
            ("layers.1.value", AdapterMethod.Lora, 2, 4d));
        model.AdapterPlan[0].FeedForward.Should().BeTrue();
        model.TrainableModules.Should().Equal("head");
    }

    [Fact]
    public void ApplyAdapters_wraps_nested_layers_freezes_the_base_and_keeps_the_output()
    {
        manual_seed(3);
        var model = new NestedEncoder();
        using var input = randn(4, 6);
        using var before = model.forward(input);

        var applied = model.ApplyAdapters(new AdapterOverrides(Rank: 3));

        applied.Where(t => t.Method == AdapterMethod.Lora).Should().OnlyContain(t => t.Rank == 3);
        var keys = model.state_dict().Keys.ToList();
        keys.Should().Contain(["layers.0.query.base_layer.weight", "layers.1.value.lora_A.default.weight", "layers.1.value.lora_B.default.weight", "head.weight"]);
        keys.Should().NotContain("layers.0.query.weight").And.NotContain(k => k.StartsWith("layers.0.output.lora", System.StringComparison.Ordinal));
        keys.Should().Contain(k => k.StartsWith("ffn.", System.StringComparison.Ordinal) && k.Contains("ia3", System.StringComparison.Ordinal));

        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        trainable.Should().OnlyContain(n => n.Contains("lora_", System.StringComparison.Ordinal) || n.Contains("ia3", System.StringComparison.Ordinal) || n.StartsWith("head.", System.StringComparison.Ordinal));
        trainable.Count(n => n.Contains("lora_A", System.StringComparison.Ordinal)).Should().Be(4);
        trainable.Should().Contain(["head.weight", "head.bias"]);

        // B = 0 and IA3 = 1 at init: a fresh adapter changes nothing.
        using var after = model.forward(input);
        allclose(before, after, rtol: 1e-6, atol: 1e-6).Should().BeTrue();
    }
}
