namespace PeftSharp.Tests.Lora;

using System;
using System.Linq;
using FluentAssertions;
using PeftSharp.Lora;
using PeftSharp.Training;
using Xunit;
using static TorchSharp.torch;

/// <summary>The generator's output, compiled by a real build of this project, wired into a real model.</summary>
public sealed class GeneratedWiringTests
{
    [Fact]
    public void The_plan_is_what_the_attributes_declare()
    {
        using var model = new GoldenMlp();

        model.AdapterPlan.Should().Equal(
            new AdapterTarget("lin0", AdapterMethod.Lora, 8, LoraDefaults.Alpha, 0),
            new AdapterTarget("lin1", AdapterMethod.Lora, 8, LoraDefaults.Alpha, 0));
        model.TrainableModules.Should().Equal("lin2");
    }

    [Fact]
    public void Trainable_parameters_match_the_reference_golden_number()
    {
        using var model = new GoldenMlp();

        model.ApplyAdapters();

        // 16,160 + 32,000 LoRA parameters plus the 4,002 of the trainable head, as the reference PEFT reports.
        ParameterReport.Of(model).Trainable.Should().Be(52_162);
    }

    [Fact]
    public void Wrapped_layers_replace_the_old_registration_in_the_state_dict()
    {
        using var model = new GoldenMlp();

        model.ApplyAdapters();

        var keys = model.state_dict().Keys;
        keys.Should().Contain(["lin0.base_layer.weight", "lin0.lora_A.default.weight", "lin1.lora_B.default.weight", "lin2.weight"]);
        keys.Should().NotContain(["lin0.weight", "lin1.bias"]);
        model.named_modules().Single(m => m.name == "lin0").module.Should().BeOfType<LoraLinear>();
    }

    [Fact]
    public void Overrides_replace_attribute_values()
    {
        using var model = new GoldenMlp();

        var applied = model.ApplyAdapters(new AdapterOverrides(Rank: 2, Alpha: 4));

        applied.Select(t => (t.Rank, t.Alpha)).Should().Equal((2, 4.0), (2, 4.0));
        model.named_modules().Select(m => m.module).OfType<LoraLinear>().Select(l => l.Scaling).Should().Equal(2.0, 2.0);
    }

    [Fact]
    public void Applying_twice_is_an_error()
    {
        using var model = new GoldenMlp();
        model.ApplyAdapters();

        var again = () => model.ApplyAdapters();

        again.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void An_invalid_override_names_the_layer_and_the_range()
    {
        using var model = new GoldenMlp();

        var apply = () => model.ApplyAdapters(new AdapterOverrides(Dropout: 1.5));

        apply.Should().Throw<ArgumentException>().WithMessage("*lin0*dropout*[0, 1)*");
    }

    [Fact]
    public void The_adapted_model_still_computes_the_base_output()
    {
        manual_seed(5);
        using var model = new GoldenMlp();
        using var input = randn(3, 20);
        using var before = model.forward(input);

        model.ApplyAdapters();
        using var after = model.forward(input);

        after.allclose(before, rtol: 0, atol: 0).Should().BeTrue();
    }
}
