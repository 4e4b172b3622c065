namespace PeftSharp.Tests.Platform;

using FluentAssertions;
using PeftSharp.Platform;
using PeftSharp.Tests.Adapters;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// The backend switches TorchSharp does not bind reach LibTorch's global context: what is set reads back through
/// LibTorch's own getter (a wrong symbol or calling convention would throw or leave the state unchanged). They are
/// process-wide, so these tests run alone.
/// </summary>
[Collection(nameof(LibTorchBackendsTests))]
[CollectionDefinition(nameof(LibTorchBackendsTests), DisableParallelization = true)]
public sealed class LibTorchBackendsTests
{
    [Fact]
    public void Both_switches_turn_off_and_on_in_LibTorch()
    {
        using var loaded = ones(1);
        var (oneDnn, cuDnnAttention) = (LibTorchBackends.OneDnnEnabled, LibTorchBackends.CuDnnAttentionEnabled);
        try
        {
            LibTorchBackends.OneDnnEnabled = false;
            LibTorchBackends.CuDnnAttentionEnabled = false;
            (LibTorchBackends.OneDnnEnabled, LibTorchBackends.CuDnnAttentionEnabled).Should().Be((false, false));
            LibTorchBackends.OneDnnEnabled = true;
            (LibTorchBackends.OneDnnEnabled, LibTorchBackends.CuDnnAttentionEnabled).Should().Be((true, false));
            LibTorchBackends.CuDnnAttentionEnabled = true;
            (LibTorchBackends.OneDnnEnabled, LibTorchBackends.CuDnnAttentionEnabled).Should().Be((true, true));
        }
        finally
        {
            (LibTorchBackends.OneDnnEnabled, LibTorchBackends.CuDnnAttentionEnabled) = (oneDnn, cuDnnAttention);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(24)]
    public void Without_oneDNN_a_convolution_s_input_gradient_matches_float64(int outChannels)
    {
        // What the runner relies on: the channel counts whose input gradient oneDNN gets wrong are right without it.
        var original = LibTorchBackends.OneDnnEnabled;
        LibTorchBackends.OneDnnEnabled = false;
        try
        {
            manual_seed(outChannels);
            using var x = randn(2, 3, 12, 12, requires_grad: true);
            using var weight = randn(outChannels, 3, 3, 3);
            using var upstream = randn(2, outChannels, 12, 12);
            using var y = nn.functional.conv2d(x, weight, padding: [1, 1]);
            y.backward([upstream]);
            using var x64 = Reference.F64(x).requires_grad_();
            using var y64 = nn.functional.conv2d(x64, Reference.F64(weight), padding: [1, 1]);
            y64.backward([Reference.F64(upstream)]);

            Reference.RelativeError(x.grad!, x64.grad!).Should().BeLessThan(1e-5);
        }
        finally
        {
            LibTorchBackends.OneDnnEnabled = original;
        }
    }
}
