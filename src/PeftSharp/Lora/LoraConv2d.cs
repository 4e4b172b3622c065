namespace PeftSharp.Lora;

using System;
using System.Collections.Generic;
using PeftSharp.Platform;
using PeftSharp.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A frozen <see cref="Conv2d"/> plus trainable low-rank updates, as the reference: <c>lora_A</c> is a convolution with the
/// base kernel, stride, padding and dilation and r output channels, <c>lora_B</c> a 1x1 convolution r -> out channels;
/// output <c>base_layer(x) + lora_B(lora_A(dropout(x))) * scaling</c>. DoRA is supported (magnitude per output channel,
/// shaped 1 x out x 1 x 1 as the reference). Grouped convolutions are not supported.
/// </summary>
public sealed class LoraConv2d : LoraLayer
{
    /// <summary>Wraps <paramref name="baseLayer"/> with one adapter named <paramref name="adapterName"/>.</summary>
    /// <exception cref="NotSupportedException">The convolution is grouped.</exception>
    public LoraConv2d(Conv2d baseLayer, LoraSettings settings, string adapterName = DefaultAdapterName)
        : base(nameof(LoraConv2d), baseLayer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (baseLayer.groups != 1)
        {
            throw new NotSupportedException($"LoRA on a grouped Conv2d (groups = {baseLayer.groups}) is not supported: target ungrouped convolutions only.");
        }

        AddAdapter(adapterName, settings);
        RegisterComponents();
    }

    /// <summary>The wrapped, frozen layer.</summary>
    public Conv2d BaseLayer => (Conv2d)BaseModule;

    /// <summary>Adapter <paramref name="adapterName"/>'s down-projection convolution (r x in x kH x kW).</summary>
    public Conv2d LoraAOf(string adapterName) => (Conv2d)ModuleA(adapterName);

    /// <summary>Adapter <paramref name="adapterName"/>'s up-projection 1x1 convolution (out x r x 1 x 1).</summary>
    public Conv2d LoraBOf(string adapterName) => (Conv2d)ModuleB(adapterName);

    /// <inheritdoc />
    public override Tensor DeltaWeight(string adapterName)
    {
        using var scope = NewDisposeScope();
        var a = LoraAOf(adapterName).weight;
        var b = LoraBOf(adapterName).weight;
        var rank = a.shape[0];
        using var scaling = Settings(adapterName).Scaling.ToScalar();

        // Kernel [o, i, kh, kw] = sum_r B[o, r] A[r, i, kh, kw]: what running A then the 1x1 B computes.
        var delta = b.reshape(b.shape[0], rank).matmul(a.reshape(rank, -1)).reshape(BaseLayer.weight.shape)
            .mul(scaling);
        return delta.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void CreateAdapter(string adapterName, LoraSettings loraSettings)
    {
        if (loraSettings.Init == LoraInit.Pissa)
        {
            throw new NotSupportedException("PiSSA initialisation is supported for Linear layers only (the reference's SVD needs a matrix weight).");
        }

        var conv = BaseLayer;
        var weight = conv.weight;
        var rank = loraSettings.Rank;
        var kernel = (conv.kernel_size[0], conv.kernel_size[1]);
        var stride = (conv.stride[0], conv.stride[1]);
        var dilation = (conv.dilation[0], conv.dilation[1]);
        var a = conv.padding_type is { } paddingType && conv.padding is null
            ? nn.Conv2d(conv.in_channels, rank, kernel, paddingType, stride, dilation, bias: false, device: weight.device, dtype: weight.dtype)
            : nn.Conv2d(conv.in_channels, rank, kernel, stride, (conv.padding![0], conv.padding[1]), dilation, bias: false, device: weight.device, dtype: weight.dtype);
        var b = nn.Conv2d(rank, conv.out_channels, (1L, 1L), (1L, 1L), bias: false, device: weight.device, dtype: weight.dtype);
        using (no_grad())
        {
            // A keeps a fresh Conv2d's Kaiming-uniform (a = sqrt(5)) init, as the reference; B is zero.
            nn.init.zeros_(b.weight);
            if (loraSettings.Init == LoraInit.Gaussian)
            {
                nn.init.normal_(a.weight, std: 1.0 / rank);
            }
        }

        AddLowRankModules(adapterName, a, b, loraSettings.Dropout);
        if (loraSettings.UseDora)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            AddMagnitude(adapterName, ChannelNorm(weight.add(DeltaWeight(adapterName))));
        }
    }

    /// <inheritdoc />
    protected override Tensor ForwardWithAdapters(Tensor input, IReadOnlyList<string> adapterNames)
    {
        var result = BaseForward(input);
        foreach (var name in adapterNames)
        {
            using var scaling = Settings(name).Scaling.ToScalar();
            var dropped = BranchDropout(name).call(FrozenBaseCast.CastFloating(input, LoraAOf(name).weight.dtype));
            var update = LoraBOf(name).call(DownProject(name, dropped));
            var magnitude = Magnitude(name);
            if (magnitude is null)
            {
                result = result.add(update.mul(scaling));
                continue;
            }

            Tensor norm;
            using (no_grad())
            {
                norm = ChannelNorm(BaseLayer.weight.add(DeltaWeight(name)));
            }

            var factor = magnitude.div(norm);
            var wx = ConvolutionGuard.Convolve(BaseLayer, dropped, FrozenBaseCast.CastFloating(BaseLayer.weight, dropped.dtype));
            using var one = 1.ToScalar();
            result = result.add(factor.sub(one).mul(wx)).add(factor.mul(update).mul(scaling));
        }

        return result;
    }

    /// <inheritdoc />
    protected override void MergeAdapter(string adapterName) => MergeIntoWeight(BaseLayer.weight, adapterName);

    /// <inheritdoc />
    protected override void UnmergeAdapter(string adapterName) => UnmergeFromWeight(BaseLayer.weight, adapterName);

    /// <inheritdoc />
    protected override Tensor DoraNorm(Tensor weight) => ChannelNorm(weight);

    /// <inheritdoc />
    protected override Tensor DoraWeightFactor(Tensor rowFactor) => rowFactor.transpose(0, 1);

    // The reference's DoRA norm for convolutions: per output channel over (in, kh, kw), shaped 1 x out x 1 x 1.
    private static Tensor ChannelNorm(Tensor weight) =>
        linalg.vector_norm(weight, dims: [1, 2, 3], keepdim: true).transpose(0, 1);

    // LoRA's A applied to input. A has r outputs, so LibTorch's oneDNN defect (ConvolutionGuard) gave it wrong input
    // gradients that corrupted every LoRA weight below it (NaN on the first backward of a ResNet in about half of the
    // runs); A guards itself, so LoRA is right also where the runner's ConvolutionGuard is not applied.
    private Tensor DownProject(string adapterName, Tensor input)
    {
        var a = LoraAOf(adapterName);
        return ConvolutionGuard.Needed(input, a.weight.shape[0]) && a.weight.shape[2] * a.weight.shape[3] > 1
            ? ConvolutionGuard.PaddedConvolution(a, input, a.weight)
            : a.call(input);
    }
}
