namespace FashionResNetLora;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Turns Fashion-MNIST batches into what the ImageNet ResNet takes.</summary>
public static class FashionImages
{
    /// <summary>
    /// Grayscale images <c>[batch, 1, 28, 28]</c> with values 0-1 (as the data loader gives them) to RGB
    /// <c>[batch, 3, size, size]</c> with values 0-255: the grey value in all three channels, upsampled bilinearly.
    /// </summary>
    public static Tensor ToResNetInput(Tensor grey, int size)
    {
        ArgumentNullException.ThrowIfNull(grey);
        if (grey.dim() != 4 || grey.shape[1] != 1)
        {
            throw new ArgumentException($"Expected grayscale images [batch, 1, H, W]; got [{string.Join(", ", grey.shape)}].", nameof(grey));
        }

        using var scope = NewDisposeScope();
        var resized = grey.shape[2] == size && grey.shape[3] == size
            ? grey
            : nn.functional.interpolate(grey, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        using var pixelRange = 255f.ToScalar();
        return resized.mul(pixelRange).expand(-1, 3, -1, -1).MoveToOuterDisposeScope();
    }
}
