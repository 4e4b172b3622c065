namespace PeftSharp.Tests.Adapters;

using FluentAssertions;
using PeftSharp.Lora;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// LoRA on a convolution must back-propagate the right gradients to its input, its A and its B: checked against float64
/// autograd of the reference formula W x + scaling (B A) x. At ranks that are not a multiple of 16 LibTorch's CPU
/// convolution returns wrong input gradients for A (often NaN); LoraConv2d must not pass them on.
/// </summary>
public sealed class LoraConv2dGradientTests
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(8, 64, 3, 1, 1)]   // a ResNet stage convolution with rank 8, the case that gave NaN
    [InlineData(4, 32, 3, 1, 1)]
    [InlineData(1, 16, 5, 1, 2)]
    [InlineData(8, 64, 3, 2, 1)]
    [InlineData(16, 64, 3, 1, 1)]  // a multiple of 16: LibTorch is right, nothing is padded
    public void Gradients_to_the_input_and_both_factors_equal_float64_autograd(int rank, int channels, int kernel, int stride, int padding)
    {
        manual_seed(7);
        using var conv = nn.Conv2d(channels, channels, kernel, stride: stride, padding: padding, bias: false);
        conv.weight.requires_grad = false;
        using var lora = new LoraConv2d(conv, new LoraSettings(rank, 2 * rank));
        Reference.Randomize(lora);
        var a = lora.LoraAOf("default").weight;
        var b = lora.LoraBOf("default").weight;

        for (var repetition = 0; repetition < 5; repetition++)
        {
            using var scope = NewDisposeScope();
            a.grad?.zero_();
            b.grad?.zero_();
            var input = nn.functional.relu(randn(4, channels, 10, 10)).requires_grad_(true);
            var output = lora.forward(input);
            var upstream = randn_like(output);
            output.backward([upstream]);

            var input64 = input.detach().to(float64).requires_grad_(true);
            var a64 = a.detach().to(float64).requires_grad_(true);
            var b64 = b.detach().to(float64).requires_grad_(true);
            using var scaling = lora.Scaling.ToScalar();
            var delta = einsum("or,rijk->oijk", b64.flatten(1), a64).mul(scaling);
            var expected = nn.functional.conv2d(input64, conv.weight.detach().to(float64) + delta, strides: [stride, stride], padding: [padding, padding]);
            expected.backward([upstream.to(float64)]);

            Reference.RelativeError(output, expected).Should().BeLessThan(Tolerance);
            input.grad!.isfinite().all().item<bool>().Should().BeTrue("a NaN here reaches every LoRA weight below this layer");
            Reference.RelativeError(input.grad!, input64.grad!).Should().BeLessThan(Tolerance, "the input gradient flows to the layers below");
            Reference.RelativeError(a.grad!, a64.grad!).Should().BeLessThan(Tolerance);
            Reference.RelativeError(b.grad!, b64.grad!).Should().BeLessThan(Tolerance);
        }
    }
}
