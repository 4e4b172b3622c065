namespace PeftSharp.Models.Vision;

using System;
using System.Collections.Generic;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The ResNets that ML.NET ships as image featurizers (CNTK models exported to ONNX), rebuilt in TorchSharp with
/// torchvision's parameter names (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, <c>layer2.0.downsample.0</c>, ...)
/// and ML.NET's preprocessing built in. Input: RGB images <c>[batch, 3, H, W]</c> with pixel values 0-255. Output: the
/// pooled features <c>[batch, FeatureSize]</c>.
/// </summary>
/// <remarks>
/// What differs from torchvision's ResNet, all read from the exported graph: the input is BGR minus a per-pixel mean
/// image (<c>mean_image</c>, 224x224, averaged down to other input sizes); the 7x7 stem pads 3 on the top and left but
/// 2 on the bottom and right, and stride-2 3x3 convolutions and the max-pool pad the top and left only (CNTK's
/// convention; at even input sizes this equals symmetric padding, at odd ones it does not); no classifier. Every
/// convolution is a plain <see cref="Conv2d"/> reachable by its path, so PEFT adapters can wrap it; the explicit
/// padding happens before the call, so a wrapper sees the padded input as the base convolution does.
/// </remarks>
public sealed class CntkResNet : nn.Module<Tensor, Tensor>
{
    /// <summary>Side of the mean image (and of the input the exported model was made for).</summary>
    public const int MeanImageSize = 224;

    // F.pad orders (left, right, top, bottom), from the exported ONNX pads [top, left, bottom, right].
    private static readonly long[] StemPadding = [3, 2, 3, 2];
    private static readonly long[] MaxPoolPadding = [1, 0, 1, 0];

#pragma warning disable IDE1006, SA1300 // names are checkpoint keys
    private nn.Module<Tensor, Tensor> conv1;
    private readonly BatchNorm2d bn1;
    private readonly Tensor mean_image;
#pragma warning restore IDE1006, SA1300
    private readonly List<ModuleList<ResNetBasicBlock>> stages = [];

    /// <summary>Creates the network of shape <paramref name="config"/> with untrained weights and a zero mean image.</summary>
    public CntkResNet(ResNetConfig config)
        : base(nameof(CntkResNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        conv1 = nn.Conv2d(config.InputChannels, config.StemWidth, 7, stride: 2, bias: false);
        bn1 = nn.BatchNorm2d(config.StemWidth, eps: config.BatchNormEpsilon);
        mean_image = zeros(1, config.InputChannels, MeanImageSize, MeanImageSize);

        var width = config.StemWidth;
        for (var s = 0; s < config.BlocksPerStage.Count; s++)
        {
            var stage = new ModuleList<ResNetBasicBlock>();
            for (var b = 0; b < config.BlocksPerStage[s]; b++)
            {
                var stride = s > 0 && b == 0 ? 2 : 1;
                stage.Add(new ResNetBasicBlock(width, config.StageWidths[s], stride, config.BatchNormEpsilon));
                width = config.StageWidths[s];
            }

            stages.Add(stage);
        }

        // The fields first, then the stages, whose number comes from the config, by hand: checkpoint order
        // (conv1, bn1, layer1, ...) as torchvision's.
        RegisterComponents();
        for (var s = 0; s < stages.Count; s++)
        {
            register_module(StageName(s), stages[s]);
        }
    }

    /// <summary>The network's shape.</summary>
    public ResNetConfig Config { get; }

    /// <summary>Number of features per image.</summary>
    public int FeatureSize => Config.FeatureSize;

    /// <summary>The state-dict name of stage <paramref name="index"/> (0-based): <c>layer1</c>, <c>layer2</c>, ...</summary>
    public static string StageName(int index) => string.Create(CultureInfo.InvariantCulture, $"layer{index + 1}");

    /// <summary>Features of RGB images <c>[batch, 3, H, W]</c> (values 0-255): preprocessing, then <see cref="Features"/>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, 3, H, W]</c> with H, W >= 32.</exception>
    public override Tensor forward(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        using var scope = NewDisposeScope();
        return Features(Preprocess(rgb)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ML.NET's preprocessing (ResNetPreprocess.onnx): RGB to BGR, minus the mean image. At another size than 224x224
    /// the mean image is averaged over each output pixel's area (adaptive average pooling).
    /// </summary>
    public Tensor Preprocess(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        CheckInput(rgb);
        using var scope = NewDisposeScope();
        long height = rgb.shape[2], width = rgb.shape[3];
        var mean = height == MeanImageSize && width == MeanImageSize
            ? mean_image
            : nn.functional.adaptive_avg_pool2d(mean_image, [height, width]);
        return rgb.flip(1).sub(mean).MoveToOuterDisposeScope();
    }

    /// <summary>The network on preprocessed (BGR, mean-subtracted) images: stem, stages, global average pool.</summary>
    public Tensor Features(Tensor bgr)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        CheckInput(bgr);
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.call(conv1.call(nn.functional.pad(bgr, StemPadding))));

        // ONNX MaxPool pads with -inf; zero gives the same maximum because the inputs are ReLU outputs (>= 0), and a
        // -inf pad made LibTorch's backward NaN on images with flat black regions (Fashion-MNIST).
        x = nn.functional.max_pool2d(nn.functional.pad(x, MaxPoolPadding), 3, 2);
        foreach (var stage in stages)
        {
            foreach (var block in stage)
            {
                x = block.call(x);
            }
        }

        return nn.functional.adaptive_avg_pool2d(x, 1).flatten(1).MoveToOuterDisposeScope();
    }

    private void CheckInput(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != Config.InputChannels || images.shape[2] < 32 || images.shape[3] < 32)
        {
            throw new ArgumentException(
                $"{nameof(CntkResNet)} takes images [batch, {Config.InputChannels}, H, W] with H, W >= 32; got [{string.Join(", ", images.shape)}].");
        }
    }
}
