namespace PeftSharp.Tests.Platform;

using FluentAssertions;
using PeftSharp.Training;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// The switch TorchSharp does not bind reaches LibTorch's global context: what is set reads back through LibTorch's own
/// getter (a wrong symbol or calling convention would throw or leave the state unchanged). The switch is process-wide
/// state without a device, so the CPU build checks it; its effect on a GPU is measured in the class's remarks.
/// </summary>
public sealed class CuDnnAttentionTests
{
    [Fact]
    public void Turning_cudnn_attention_off_and_on_reaches_LibTorch()
    {
        using var loaded = ones(1);
        var original = CuDnnAttention.Enabled;
        try
        {
            CuDnnAttention.Enabled = false;
            CuDnnAttention.Enabled.Should().BeFalse();
            CuDnnAttention.Enabled = true;
            CuDnnAttention.Enabled.Should().BeTrue();
        }
        finally
        {
            CuDnnAttention.Enabled = original;
        }
    }
}
