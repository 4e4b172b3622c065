namespace PeftSharp.Models.Vision;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>
/// The shape of a ResNet of basic (two 3x3 convolution) blocks: stem width, blocks and width per stage. Every stage
/// after the first halves the resolution in its first block, whose shortcut is then a 1x1 stride-2 convolution.
/// </summary>
/// <param name="BlocksPerStage">Basic blocks in each stage.</param>
/// <param name="StageWidths">Output channels of each stage.</param>
public sealed record ResNetConfig(IReadOnlyList<int> BlocksPerStage, IReadOnlyList<int> StageWidths)
{
    /// <summary>
    /// ML.NET's ImageNet ResNet-18 (NuGet <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>, a CNTK export): stages of
    /// [2, 2, 2, 3] blocks (not torchvision's [2, 2, 2, 2]), widths 64-512, 15.9M weights incl. BatchNorm statistics.
    /// </summary>
    public static ResNetConfig CntkResNet18 { get; } = new([2, 2, 2, 3], [64, 128, 256, 512]);

    /// <summary>Output channels of the 7x7 stem convolution.</summary>
    public int StemWidth { get; init; } = 64;

    /// <summary>Input channels (3: BGR for the CNTK models).</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>BatchNorm epsilon (CNTK's 1e-5).</summary>
    public double BatchNormEpsilon { get; init; } = 1e-5;

    /// <summary>Size of the pooled feature vector (the last stage's width).</summary>
    public int FeatureSize => StageWidths[^1];

    /// <summary>Throws <see cref="ArgumentException"/> for an impossible configuration.</summary>
    public void Validate()
    {
        if (BlocksPerStage.Count == 0 || BlocksPerStage.Count != StageWidths.Count)
        {
            throw new ArgumentException(
                $"A ResNet needs at least one stage and one width per stage (got {BlocksPerStage.Count} block counts and {StageWidths.Count} widths).");
        }

        if (BlocksPerStage.Any(b => b < 1) || StageWidths.Any(w => w < 1) || StemWidth < 1 || InputChannels < 1)
        {
            throw new ArgumentException(
                $"Block counts, widths and channels must be positive (blocks [{string.Join(", ", BlocksPerStage)}], widths [{string.Join(", ", StageWidths)}], stem {StemWidth}, input {InputChannels}).");
        }

        if (!(BatchNormEpsilon > 0))
        {
            throw new ArgumentException($"BatchNorm epsilon must be positive (got {BatchNormEpsilon}).");
        }
    }

    /// <inheritdoc />
    public bool Equals(ResNetConfig? other) =>
        other is not null && BlocksPerStage.SequenceEqual(other.BlocksPerStage) && StageWidths.SequenceEqual(other.StageWidths)
        && StemWidth == other.StemWidth && InputChannels == other.InputChannels && BatchNormEpsilon.Equals(other.BatchNormEpsilon);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(string.Join(",", BlocksPerStage), string.Join(",", StageWidths), StemWidth, InputChannels, BatchNormEpsilon);
}
