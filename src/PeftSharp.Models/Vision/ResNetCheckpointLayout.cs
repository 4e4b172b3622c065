namespace PeftSharp.Models.Vision;

using System;
using System.Collections.Generic;
using System.Globalization;

/// <summary>The state-dict keys and shapes of a <see cref="CntkResNet"/> (torchvision's names), without building a model.</summary>
public static class ResNetCheckpointLayout
{
    /// <summary>The key of the preprocessing mean image, <c>[1, channels, 224, 224]</c>.</summary>
    public const string MeanImageKey = "mean_image";

    /// <summary>The BatchNorm tensors of a layer, in checkpoint order (the step counter is not imported).</summary>
    public static IReadOnlyList<string> BatchNormTensors { get; } = ["weight", "bias", "running_mean", "running_var"];

    /// <summary>The state-dict prefix of block <paramref name="block"/> of stage <paramref name="stage"/> (0-based): <c>layer1.0.</c>.</summary>
    public static string BlockPrefix(int stage, int block) =>
        string.Create(CultureInfo.InvariantCulture, $"{CntkResNet.StageName(stage)}.{block}.");

    /// <summary>Every imported key of <see cref="CntkResNet"/> with its shape: weights, BatchNorm statistics and the mean image.</summary>
    public static IReadOnlyList<KeyValuePair<string, long[]>> ExpectedShapes(ResNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var shapes = new List<KeyValuePair<string, long[]>>();
        AddConv(shapes, "conv1", config.StemWidth, config.InputChannels, 7);
        AddBatchNorm(shapes, "bn1", config.StemWidth);
        long width = config.StemWidth;
        for (var s = 0; s < config.BlocksPerStage.Count; s++)
        {
            long output = config.StageWidths[s];
            for (var b = 0; b < config.BlocksPerStage[s]; b++)
            {
                var prefix = BlockPrefix(s, b);
                AddConv(shapes, prefix + "conv1", output, width, 3);
                AddBatchNorm(shapes, prefix + "bn1", output);
                AddConv(shapes, prefix + "conv2", output, output, 3);
                AddBatchNorm(shapes, prefix + "bn2", output);
                if (s > 0 && b == 0)
                {
                    AddConv(shapes, prefix + "downsample.0", output, width, 1);
                    AddBatchNorm(shapes, prefix + "downsample.1", output);
                }

                width = output;
            }
        }

        shapes.Add(new(MeanImageKey, [1, config.InputChannels, CntkResNet.MeanImageSize, CntkResNet.MeanImageSize]));
        return shapes;
    }

    private static void AddConv(List<KeyValuePair<string, long[]>> shapes, string name, long output, long input, long kernel) =>
        shapes.Add(new(name + ".weight", [output, input, kernel, kernel]));

    private static void AddBatchNorm(List<KeyValuePair<string, long[]>> shapes, string name, long channels)
    {
        foreach (var tensor in BatchNormTensors)
        {
            shapes.Add(new($"{name}.{tensor}", [channels]));
        }
    }
}
