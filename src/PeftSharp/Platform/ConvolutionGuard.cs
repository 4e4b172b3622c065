namespace PeftSharp.Platform;

using System;
using System.Linq;
using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Works around a defect of LibTorch 2.10's oneDNN CPU convolution (TorchSharp 0.107). For kernels larger than 1x1
/// whose output channels are not a multiple of 16, it returns wrong input gradients, often NaN. Checked against float64:
/// 1 to 12, 24 and 40 channels were wrong, 16 and 32 were right. The forward pass and the weight gradient are right.
/// Where the defect applies (CPU, oneDNN on, autograd needs the input gradient), a guarded convolution computes with its
/// weight padded by zero filters up to the next multiple of 16 and keeps the real channels. The output and the weight
/// gradient are unchanged, and the input gradient becomes right. Turning oneDNN off
/// (<see cref="LibTorchBackends.OneDnnEnabled"/>) also fixes it, but made a ResNet-18 LoRA step 3-4.5x slower here.
/// </summary>
public static class ConvolutionGuard
{
    private const int ChannelBlock = 16;

    // Convolutions already hooked, so applying twice adds no second hook.
    private static readonly ConditionalWeakTable<Conv2d, object> Guarded = [];

    /// <summary>
    /// Guards every <see cref="Conv2d"/> in <paramref name="model"/> that the defect can reach: a kernel larger than
    /// 1x1, output channels not a multiple of 16, one group. It uses a forward hook that replaces the output, so the
    /// convolution must run through <c>call()</c> (PEFT017). The unused first computation costs one extra forward
    /// convolution per guarded layer while training on the CPU. LoRA's own convolutions guard themselves
    /// (<see cref="Lora.LoraConv2d"/>) and are skipped.
    /// </summary>
    /// <returns>How many convolutions are guarded.</returns>
    public static int Apply(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = 0;
        foreach (var (name, module) in model.named_modules().Prepend((string.Empty, model)))
        {
            if (module is Conv2d conv && Exposed(conv) && !name.Contains("lora_A.", StringComparison.Ordinal))
            {
                if (!Guarded.TryGetValue(conv, out _))
                {
                    conv.register_forward_hook(Recompute);
                    Guarded.Add(conv, true);
                }

                count++;
            }
        }

        return count;
    }

    /// <summary>Whether convolving <paramref name="input"/> into <paramref name="outChannels"/> channels now would hit the defect.</summary>
    internal static bool Needed(Tensor input, long outChannels) =>
        outChannels % ChannelBlock != 0 && input.requires_grad && is_grad_enabled() && input.device_type == DeviceType.CPU && OneDnnMayRun();

    /// <summary>
    /// <paramref name="conv"/>'s convolution of <paramref name="input"/> with <paramref name="weight"/> (without bias),
    /// computed with zero filters appended up to a multiple of 16 and narrowed back to the real channels.
    /// </summary>
    internal static Tensor PaddedConvolution(Conv2d conv, Tensor input, Tensor weight)
    {
        using var scope = NewDisposeScope();
        var channels = weight.shape[0];
        long[] fillerShape = [ChannelBlock - (channels % ChannelBlock), .. weight.shape[1..]];
        var padded = cat([weight, zeros(fillerShape, weight.dtype, weight.device)], 0);
        return Convolve(conv, input, padded).narrow(1, 0, channels).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="conv"/>'s convolution of <paramref name="input"/> with another weight, without bias, honouring its padding mode.</summary>
    internal static Tensor Convolve(Conv2d conv, Tensor input, Tensor weight)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            var p = conv.padding!;
            using var padded = nn.functional.pad(input, [p[1], p[1], p[0], p[0]], conv.padding_mode);
            return nn.functional.conv2d(padded, weight, null, conv.stride, [0L, 0L], conv.dilation, conv.groups);
        }

        return conv.padding_type is { } paddingType && conv.padding is null
            ? nn.functional.conv2d_padding(input, weight, null, conv.stride, paddingType, conv.dilation, conv.groups)
            : nn.functional.conv2d(input, weight, null, conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    private static bool Exposed(Conv2d conv) =>
        conv.groups == 1 && conv.weight.shape[0] % ChannelBlock != 0 && conv.weight.shape[2] * conv.weight.shape[3] > 1;

    private static Tensor Recompute(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        var conv = (Conv2d)module;
        if (!Needed(input, conv.weight.shape[0]))
        {
            return output;
        }

        using var scope = NewDisposeScope();
        var result = PaddedConvolution(conv, input, conv.weight);
        if (conv.bias is { } bias)
        {
            result = result.add(bias.view(1, -1, 1, 1));
        }

        return result.MoveToOuterDisposeScope();
    }

    private static bool OneDnnMayRun()
    {
        try
        {
            return LibTorchBackends.OneDnnEnabled;
        }
        catch (PlatformNotSupportedException)
        {
            return true;
        }
    }
}
