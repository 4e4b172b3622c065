namespace KeywordSpottingLora.Data;

using System;
using PeftSharp.Data;

/// <summary>
/// Places a word in a fixed-length clip at a random offset, scales it by a random gain and adds white noise at a
/// random signal-to-noise ratio: the variation real recordings have and synthesized words lack. Every draw comes
/// from the given generator, so a clip depends only on its seed.
/// </summary>
public static class ClipAugmentation
{
    /// <summary>The augmented clip of <paramref name="word"/>, <paramref name="clipSamples"/> long.</summary>
    /// <param name="word">The word's samples (cropped to its centre when longer than the clip).</param>
    /// <param name="clipSamples">Clip length in samples.</param>
    /// <param name="noiseDecibels">Range of the signal-to-noise ratio in dB (signal power measured over the word).</param>
    /// <param name="random">The source of every random draw.</param>
    public static float[] Place(ReadOnlySpan<float> word, int clipSamples, (double Low, double High) noiseDecibels, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clipSamples);
        if (word.Length > clipSamples)
        {
            word = word.Slice((word.Length - clipSamples) / 2, clipSamples);
        }

        var clip = new float[clipSamples];
        var offset = random.NextInt(clipSamples - word.Length + 1);
        var gain = 0.4 + 0.6 * random.NextDouble();
        double power = 0;
        for (var i = 0; i < word.Length; i++)
        {
            var value = word[i] * gain;
            clip[offset + i] = (float)value;
            power += value * value;
        }

        power /= Math.Max(1, word.Length);
        var snr = noiseDecibels.Low + (noiseDecibels.High - noiseDecibels.Low) * random.NextDouble();
        var noiseStd = Math.Sqrt(power / Math.Pow(10, snr / 10));
        for (var i = 0; i < clip.Length; i++)
        {
            clip[i] = (float)Math.Clamp(clip[i] + noiseStd * Gaussian(random), -1.0, 1.0);
        }

        return clip;
    }

    private static double Gaussian(DeterministicRandom random)
    {
        // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
