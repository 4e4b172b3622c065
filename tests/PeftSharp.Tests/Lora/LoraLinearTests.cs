namespace PeftSharp.Tests.Lora;

using System;
using System.Linq;
using FluentAssertions;
using PeftSharp.Lora;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

public sealed class LoraLinearTests
{
    [Fact]
    public void A_fresh_adapter_leaves_the_output_unchanged()
    {
        manual_seed(1);
        using var baseLayer = nn.Linear(12, 7);
        using var input = randn(5, 12);
        using var expected = baseLayer.forward(input);

        using var lora = new LoraLinear(baseLayer, rank: 4, alpha: 8, dropout: 0);
        using var actual = lora.forward(input);

        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue("B starts at zero, so the update is exactly zero");
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(4, 8.0)]
    [InlineData(16, 7.5)]
    public void Forward_equals_the_reference_formula_in_float64(int rank, double alpha)
    {
        manual_seed(rank);
        using var lora = new LoraLinear(nn.Linear(24, 10), rank, alpha, dropout: 0);
        using (no_grad())
        {
            // A non-zero B, so the low-rank branch contributes.
            lora.LoraB.weight!.normal_();
        }

        using var input = randn(9, 24);
        using var actual = lora.forward(input);

        // base(x) + B(A(x)) * alpha / r, computed independently in float64.
        using var x = input.to(float64);
        using var w = lora.BaseLayer.weight!.detach().to(float64);
        using var b = lora.BaseLayer.bias!.detach().to(float64);
        using var a = lora.LoraA.weight!.detach().to(float64);
        using var bUp = lora.LoraB.weight!.detach().to(float64);
        using var scaling = (alpha / rank).ToScalar();
        using var expected = x.matmul(w.t()).add(b).add(x.matmul(a.t()).matmul(bUp.t()).mul(scaling));

        using var relative = (actual.to(float64) - expected).abs().max().div(expected.abs().max());
        relative.item<double>().Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Children_follow_the_reference_key_layout()
    {
        using var lora = new LoraLinear(nn.Linear(6, 3), rank: 2, alpha: 4, dropout: 0.1);

        lora.state_dict().Keys.Should().BeEquivalentTo(
            "base_layer.weight", "base_layer.bias", "lora_A.default.weight", "lora_B.default.weight");
        lora.LoraA.weight!.shape.Should().Equal(2, 6);
        lora.LoraB.weight!.shape.Should().Equal(3, 2);
        lora.Scaling.Should().Be(2);
    }

    [Fact]
    public void Only_the_adapter_trains()
    {
        using var lora = new LoraLinear(nn.Linear(6, 3), rank: 2, alpha: 4, dropout: 0);

        lora.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name)
            .Should().BeEquivalentTo("lora_A.default.weight", "lora_B.default.weight");
    }

    [Fact]
    public void Dropout_applies_to_the_adapter_branch_only()
    {
        manual_seed(3);
        using var baseLayer = nn.Linear(8, 4);
        using var input = randn(16, 8);
        using var expected = baseLayer.forward(input);
        using var lora = new LoraLinear(baseLayer, rank: 2, alpha: 2, dropout: 0.5);
        lora.train();

        // With B = 0 the branch is zero whatever dropout does; dropout on the base path would change the output.
        using var actual = lora.forward(input);

        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Theory]
    [InlineData(0, 8, 0)]
    [InlineData(4, 0, 0)]
    [InlineData(4, double.NaN, 0)]
    [InlineData(4, 8, 1)]
    [InlineData(4, 8, -0.1)]
    public void Invalid_hyperparameters_are_rejected(int rank, double alpha, double dropout)
    {
        using var baseLayer = nn.Linear(4, 4);

        var create = () => new LoraLinear(baseLayer, rank, alpha, dropout);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
