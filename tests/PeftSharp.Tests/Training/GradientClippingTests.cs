namespace PeftSharp.Tests.Training;

using System;
using System.Linq;
using FluentAssertions;
using PeftSharp.Training.Optimization;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// Global-norm clipping against PyTorch's definition computed on the host in double: the norm of all gradients, and
/// <c>coef = max_norm / (norm + 1e-6)</c> applied only when below 1.
/// </summary>
public sealed class GradientClippingTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(1000.0)]
    public void The_norm_and_the_scaled_gradients_follow_PyTorch_s_definition(double maxNorm)
    {
        manual_seed(9);
        var parameters = new[] { new Parameter(zeros(3, 4)), new Parameter(zeros(5)), new Parameter(zeros(2)) };
        using (no_grad())
        {
            foreach (var p in parameters)
            {
                p.grad = randn(p.shape);
            }
        }

        parameters[2].grad = null;
        var before = parameters.Take(2).Select(p => p.grad!.data<float>().ToArray()).ToArray();
        var expectedNorm = Math.Sqrt(before.SelectMany(g => g).Sum(v => (double)v * v));

        using var norm = GradientClipping.ClipByGlobalNormOnDevice(parameters, maxNorm);

        norm!.item<double>().Should().BeApproximately(expectedNorm, 1e-12 * expectedNorm);
        var coefficient = Math.Min(maxNorm / (expectedNorm + 1e-6), 1.0);
        for (var i = 0; i < 2; i++)
        {
            // Multiplied in float32 by the coefficient rounded to float32; a coefficient of 1 leaves the bits as they were.
            parameters[i].grad!.data<float>().ToArray().Should().Equal(before[i].Select(v => v * (float)coefficient));
        }

        parameters[2].grad.Should().BeNull();
    }

    [Fact]
    public void Without_gradients_there_is_no_norm()
    {
        using var parameter = new Parameter(zeros(3));

        GradientClipping.ClipByGlobalNormOnDevice([parameter], 1.0).Should().BeNull();
    }
}
