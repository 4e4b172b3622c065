namespace PeftSharp.Tests.Training;

using System.Linq;
using FluentAssertions;
using PeftSharp.Training.Optimization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

public sealed class ParameterGroupsTests
{
    [Fact]
    public void Biases_and_norm_weights_do_not_decay_and_frozen_parameters_are_left_out()
    {
        using var model = nn.Sequential(("dense", nn.Linear(4, 4)), ("norm", nn.LayerNorm(4)), ("frozen", nn.Linear(4, 2)));
        foreach (var p in model.named_parameters().Where(p => p.name.StartsWith("frozen", System.StringComparison.Ordinal)))
        {
            p.parameter.requires_grad = false;
        }

        var (decay, noDecay) = ParameterGroups.Split(model);

        decay.Select(p => p.Name).Should().Equal("dense.weight");
        noDecay.Select(p => p.Name).Should().BeEquivalentTo("dense.bias", "norm.weight", "norm.bias");
    }

    [Fact]
    public void Weight_decay_shrinks_weights_but_not_biases()
    {
        using var model = nn.Linear(2, 2);
        using var optimizer = ParameterGroups.AdamW(model, learningRate: 0.5, weightDecay: 0.1);
        using var weightBefore = model.weight!.detach().clone();
        using var biasBefore = model.bias!.detach().clone();

        // A zero gradient isolates AdamW's decoupled decay: w <- w * (1 - lr * wd); the bias stays.
        foreach (var p in model.parameters())
        {
            p.grad = zeros_like(p);
        }

        optimizer.step();

        model.weight!.allclose(weightBefore * 0.95, rtol: 1e-6, atol: 1e-7).Should().BeTrue();
        model.bias!.allclose(biasBefore, rtol: 0, atol: 0).Should().BeTrue();
    }
}
