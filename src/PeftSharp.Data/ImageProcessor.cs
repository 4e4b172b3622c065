namespace PeftSharp.Data;

using System;
using System.IO;
using StbImageSharp;

/// <summary>Decodes images, normalises them to channels-first floats and applies seeded augmentations.</summary>
public static class ImageProcessor
{
    /// <summary>
    /// Decodes an encoded image (PNG, JPEG, BMP, TGA, GIF, PSD) to channels-last bytes with
    /// <paramref name="channels"/> channels (1 grey, 3 RGB), checking its size.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a decodable image, or its size is not the declared one.</exception>
    public static byte[] Decode(byte[] encoded, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(encoded, channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"The image could not be decoded ({e.Message}).", e);
        }

        if (image.Height != height || image.Width != width)
        {
            throw new InvalidDataException($"The image is {image.Height}x{image.Width}; the dataset declares {height}x{width}. Resize images when importing them.");
        }

        return image.Data;
    }

    /// <summary>
    /// Writes one image into <paramref name="target"/> (channels, height, width) as (value / scale - mean) / std,
    /// cropped and flipped by <paramref name="augmentation"/> with draws from <paramref name="random"/> when given.
    /// </summary>
    /// <param name="format">The declared format.</param>
    /// <param name="pixels">Channels-last bytes (uint8 or decoded) or, when <paramref name="floats"/> is given, null.</param>
    /// <param name="floats">Channels-first floats, or null.</param>
    /// <param name="target">Destination, length channels * height * width.</param>
    /// <param name="augmentation">Augmentations, or null.</param>
    /// <param name="random">The row's generator (seed, epoch, row), needed with augmentations.</param>
    public static void Normalise(
        ImageFormat format, byte[]? pixels, float[]? floats, Span<float> target, ImageAugmentation? augmentation, DeterministicRandom? random)
    {
        ArgumentNullException.ThrowIfNull(format);
        int c = format.Channels, h = format.Height, w = format.Width;
        var scale = floats is null ? 255f : 1f;
        var pad = augmentation?.CropPadding ?? 0;
        int dy = 0, dx = 0;
        var flip = false;
        if (augmentation is not null && random is not null)
        {
            // Offsets in [-pad, pad]: the crop window's corner in the zero-padded image, relative to the original.
            if (pad > 0)
            {
                dy = random.NextInt((2 * pad) + 1) - pad;
                dx = random.NextInt((2 * pad) + 1) - pad;
            }

            flip = augmentation.HorizontalFlipProbability > 0 && random.NextDouble() < augmentation.HorizontalFlipProbability;
        }

        for (var ch = 0; ch < c; ch++)
        {
            var mean = format.Mean?[ch] ?? 0f;
            var std = format.Std?[ch] ?? 1f;
            var zero = (0f - mean) / std;
            for (var y = 0; y < h; y++)
            {
                var sy = y + dy;
                for (var x = 0; x < w; x++)
                {
                    var sx = (flip ? w - 1 - x : x) + dx;
                    float value;
                    if (sy < 0 || sy >= h || sx < 0 || sx >= w)
                    {
                        value = zero;
                    }
                    else
                    {
                        var raw = floats is not null ? floats[(((ch * h) + sy) * w) + sx] : pixels![(((sy * w) + sx) * c) + ch];
                        value = ((raw / scale) - mean) / std;
                    }

                    target[(((ch * h) + y) * w) + x] = value;
                }
            }
        }
    }
}
