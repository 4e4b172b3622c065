namespace PeftSharp.Tests.Platform;

using System.Linq;
using FluentAssertions;
using PeftSharp.Lora;
using PeftSharp.Platform;
using PeftSharp.Tests.Adapters;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// Guarded convolutions train with the gradients float64 math gives, whatever LibTorch's oneDNN kernel does for their
/// channel counts, and compute the same outputs. Checked against a float64 copy of the same network (LibTorch runs
/// float64 convolutions without oneDNN).
/// </summary>
[Collection(nameof(LibTorchBackendsTests))]
public sealed class ConvolutionGuardTests
{
    [Fact]
    public void A_small_cnn_s_gradients_match_float64_with_its_convolutions_guarded()
    {
        manual_seed(3);
        using var model = new SmallCnn(8, 12);
        using var reference = new SmallCnn(8, 12);
        reference.load_state_dict(model.state_dict());
        reference.to(float64);
        using var x = randn(4, 3, 10, 10);
        using var y = randint(0, 3, [4]);

        ConvolutionGuard.Apply(model).Should().Be(2, "both convolutions have 8 or 12 output channels and 3x3 kernels");
        nn.functional.cross_entropy(model.call(x), y).backward();
        nn.functional.cross_entropy(reference.call(Reference.F64(x)), y).backward();

        foreach (var ((name, actual), (_, expected)) in model.named_parameters().Zip(reference.named_parameters()))
        {
            Reference.RelativeError(actual.grad!, expected.grad!).Should().BeLessThan(1e-4, name);
        }
    }

    [Fact]
    public void A_guarded_convolution_computes_the_same_output()
    {
        manual_seed(4);
        using var conv = nn.Conv2d(3, 8, 3, padding: 1);
        using var x = randn(2, 3, 9, 9, requires_grad: true);
        using var before = conv.call(x).detach();

        ConvolutionGuard.Apply(conv);
        using var after = conv.call(x);

        Reference.RelativeError(after, before).Should().BeLessThan(1e-5);
        after.requires_grad.Should().BeTrue();
    }

    [Fact]
    public void Only_convolutions_the_defect_reaches_are_guarded()
    {
        using var model = nn.Sequential(
            ("wide", nn.Conv2d(3, 16, 3)),
            ("pointwise", nn.Conv2d(16, 8, 1)),
            ("grouped", nn.Conv2d(8, 12, 3, groups: 4)),
            ("lora", new LoraConv2d(nn.Conv2d(12, 32, 3), new LoraSettings(4, 8, 0))),
            ("narrow", nn.Conv2d(32, 24, 3)));

        // Not: 16 channels, a 1x1 kernel, a grouped convolution, LoRA's A (it guards itself), LoRA's 32-channel base.
        ConvolutionGuard.Apply(model).Should().Be(1);
    }

    private sealed class SmallCnn : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly Conv2d conv2;
        private readonly Linear head;

        public SmallCnn(int first, int second)
            : base(nameof(SmallCnn))
        {
            conv1 = nn.Conv2d(3, first, 3, padding: 1);
            conv2 = nn.Conv2d(first, second, 3, padding: 1);
            head = nn.Linear(second, 3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var hidden = nn.functional.relu(conv2.call(nn.functional.relu(conv1.call(input))));
            return head.call(hidden.mean([2, 3])).MoveToOuterDisposeScope();
        }
    }
}
