namespace PeftSharp.Data;

using System;

/// <summary>
/// Seeded training augmentations: a random crop of the image padded by <see cref="CropPadding"/> zero pixels on
/// each side (the classic CIFAR crop), and a horizontal flip with probability <see cref="HorizontalFlipProbability"/>.
/// The random draws depend only on the seed, the epoch and the row, never on timing.
/// </summary>
/// <param name="CropPadding">Zero padding before a random crop back to the original size; 0 disables the crop.</param>
/// <param name="HorizontalFlipProbability">Probability of mirroring left-right; 0 disables the flip.</param>
public sealed record ImageAugmentation(int CropPadding = 0, double HorizontalFlipProbability = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> for an impossible setting.</summary>
    public void Validate(string input)
    {
        if (CropPadding < 0)
        {
            throw new ArgumentException($"Image input '{input}': crop padding must be 0 or more (got {CropPadding}).");
        }

        if (!(HorizontalFlipProbability >= 0 && HorizontalFlipProbability <= 1))
        {
            throw new ArgumentException($"Image input '{input}': the flip probability must be in [0, 1] (got {HorizontalFlipProbability}).");
        }
    }
}
