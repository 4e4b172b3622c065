namespace PeftSharp.Models.Vision;

using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A ResNet basic block: 3x3 conv, BatchNorm, ReLU, 3x3 conv, BatchNorm, plus the shortcut (identity, or a 1x1
/// stride-2 conv and BatchNorm when the block halves the resolution), then ReLU. A stride-2 block pads its first
/// convolution's input on the top and left only, as CNTK did (the exported ONNX says pads = [1, 1, 0, 0]).
/// </summary>
public sealed class ResNetBasicBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // names are checkpoint keys (torchvision's)
    // Convolutions are typed Module<Tensor, Tensor> so adapters (LoRA) can take their place.
    private nn.Module<Tensor, Tensor> conv1;
    private readonly BatchNorm2d bn1;
    private nn.Module<Tensor, Tensor> conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;
#pragma warning restore IDE1006, SA1300

    // F.pad order (left, right, top, bottom) applied before conv1; null when conv1 pads symmetrically itself.
    private readonly long[]? conv1InputPadding;

    /// <summary>Creates a block from <paramref name="inputChannels"/> to <paramref name="outputChannels"/> with the given stride (1 or 2).</summary>
    public ResNetBasicBlock(int inputChannels, int outputChannels, int stride, double batchNormEpsilon)
        : base(nameof(ResNetBasicBlock))
    {
        if (stride is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "A basic block has stride 1 or 2.");
        }

        if (stride == 1 && inputChannels != outputChannels)
        {
            throw new ArgumentException($"A stride-1 block keeps its width (identity shortcut), but {inputChannels} != {outputChannels}.");
        }

        conv1 = stride == 1
            ? nn.Conv2d(inputChannels, outputChannels, 3, stride: 1, padding: 1, bias: false)
            : nn.Conv2d(inputChannels, outputChannels, 3, stride: 2, bias: false);
        conv1InputPadding = stride == 1 ? null : [1, 0, 1, 0];
        bn1 = nn.BatchNorm2d(outputChannels, eps: batchNormEpsilon);
        conv2 = nn.Conv2d(outputChannels, outputChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outputChannels, eps: batchNormEpsilon);
        downsample = stride == 1
            ? null
            : nn.Sequential(
                ("0", nn.Conv2d(inputChannels, outputChannels, 1, stride: 2, bias: false)),
                ("1", nn.BatchNorm2d(outputChannels, eps: batchNormEpsilon)));
        RegisterComponents();
    }

    /// <summary>Whether the block halves the resolution (and has a <c>downsample</c> shortcut).</summary>
    public bool Downsamples => downsample is not null;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var padded = conv1InputPadding is null ? input : nn.functional.pad(input, conv1InputPadding);
        var x = nn.functional.relu(bn1.call(conv1.call(padded)));
        x = bn2.call(conv2.call(x));
        var shortcut = downsample is null ? input : downsample.call(input);
        return nn.functional.relu(x.add(shortcut)).MoveToOuterDisposeScope();
    }
}
