namespace PeftSharp.Data.Audio;

using System;

/// <summary>
/// Triangular mel filters on the HTK mel scale (mel = 2595 log10(1 + f / 700)), unnormalised: the filters of
/// <c>torchaudio.functional.melscale_fbanks(norm=None, mel_scale="htk")</c>. Filter m rises from the (m)th to the
/// (m+1)th of <c>melBins + 2</c> points equally spaced in mel between the minimum and maximum frequency, and falls to
/// the (m+2)th; neighbouring filters overlap so that between the first and last centre they sum to 1.
/// </summary>
public static class MelFilterBank
{
    /// <summary>Hertz to HTK mel.</summary>
    public static double HertzToMel(double hertz) => 2595.0 * Math.Log10(1.0 + hertz / 700.0);

    /// <summary>HTK mel to hertz.</summary>
    public static double MelToHertz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    /// <summary>
    /// The filter weights as [melBins, fftSize / 2 + 1] (row m weights the one-sided FFT bins of filter m).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the frequencies are not 0 &lt;= min &lt; max &lt;= Nyquist.</exception>
    public static double[,] Create(int sampleRate, int fftSize, int melBins, double minFrequency, double maxFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fftSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minFrequency);
        if (maxFrequency <= minFrequency || maxFrequency > sampleRate / 2.0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFrequency), maxFrequency,
                $"The mel range must satisfy 0 <= min ({minFrequency}) < max <= the Nyquist frequency ({sampleRate / 2.0} Hz).");
        }

        var bins = fftSize / 2 + 1;
        var minMel = HertzToMel(minFrequency);
        var maxMel = HertzToMel(maxFrequency);
        var points = new double[melBins + 2];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = MelToHertz(minMel + (maxMel - minMel) * i / (melBins + 1));
        }

        var filters = new double[melBins, bins];
        for (var m = 0; m < melBins; m++)
        {
            double left = points[m], centre = points[m + 1], right = points[m + 2];
            for (var k = 0; k < bins; k++)
            {
                var frequency = (double)k * sampleRate / fftSize;
                var rising = (frequency - left) / (centre - left);
                var falling = (right - frequency) / (right - centre);
                filters[m, k] = Math.Max(0.0, Math.Min(rising, falling));
            }
        }

        return filters;
    }
}
