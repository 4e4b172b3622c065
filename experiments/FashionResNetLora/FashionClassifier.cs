namespace FashionResNetLora;

using System;
using System.Linq;
using PeftSharp.Models.Vision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The ImageNet ResNet-18 with a new 10-class head for Fashion-MNIST: grey 28x28 images (values 0-1) are upsampled to
/// <see cref="InputSize"/> and repeated into RGB 0-255, as the pretrained network expects, then the 512 pooled features
/// go through a linear <c>head</c>.
/// </summary>
public sealed class FashionClassifier : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // names are checkpoint keys
    private readonly CntkResNet backbone;
    private nn.Module<Tensor, Tensor> head;
#pragma warning restore IDE1006, SA1300

    /// <summary>Wraps <paramref name="backbone"/> with a new head for <paramref name="classCount"/> classes.</summary>
    public FashionClassifier(CntkResNet backbone, int classCount, int inputSize)
        : base(nameof(FashionClassifier))
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 32);
        this.backbone = backbone;
        head = nn.Linear(backbone.FeatureSize, classCount);
        InputSize = inputSize;
        RegisterComponents();
    }

    /// <summary>Side of the images the backbone sees.</summary>
    public int InputSize { get; }

    /// <summary>The pretrained (or, for training from scratch, freshly initialised) network.</summary>
    public CntkResNet Backbone => backbone;

    /// <summary>
    /// Keeps the backbone's BatchNorm layers in evaluation mode (ImageNet statistics) even while training: for methods
    /// that leave the base frozen, whose running statistics must not drift either.
    /// </summary>
    public bool FreezeBatchNormStatistics { get; set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor grey)
    {
        using var scope = NewDisposeScope();
        var features = backbone.call(FashionImages.ToResNetInput(grey, InputSize));
        return head.call(features).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override void train(bool train = true)
    {
        base.train(train);
        if (train && FreezeBatchNormStatistics)
        {
            foreach (var norm in backbone.modules().OfType<BatchNorm2d>())
            {
                norm.eval();
            }
        }
    }
}
