namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>
/// The declared layout of an image column and its preprocessing: pixels become <c>(value / Scale - Mean[c]) / Std[c]</c>
/// (Scale is 255 for uint8 and encoded images, 1 for floats), then training augmentations apply.
/// </summary>
/// <param name="Encoding">How pixels are stored.</param>
/// <param name="Channels">1 (grey) or 3 (RGB); encoded images are converted to this.</param>
/// <param name="Height">Image height; every image must have it.</param>
/// <param name="Width">Image width; every image must have it.</param>
public sealed record ImageFormat(ImageEncoding Encoding, int Channels, int Height, int Width)
{
    /// <summary>Per-channel mean subtracted after scaling (defaults to 0).</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation divided by after scaling (defaults to 1).</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>Training augmentations; applied only when a batch loader asks for them (the training split).</summary>
    public ImageAugmentation? Augmentation { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for an impossible declaration.</summary>
    public void Validate(string input)
    {
        if (Channels is not (1 or 3))
        {
            throw new ArgumentException($"Image input '{input}': channels must be 1 or 3 (got {Channels}).");
        }

        if (Height < 1 || Width < 1)
        {
            throw new ArgumentException($"Image input '{input}': height and width must be positive (got {Height}x{Width}).");
        }

        if ((Mean is not null && Mean.Count != Channels) || (Std is not null && Std.Count != Channels))
        {
            throw new ArgumentException($"Image input '{input}': mean and std need one value per channel ({Channels}).");
        }

        if (Std is not null && Std.Any(s => s == 0f))
        {
            throw new ArgumentException($"Image input '{input}': a standard deviation of 0 would divide by zero.");
        }

        Augmentation?.Validate(input);
    }
}
