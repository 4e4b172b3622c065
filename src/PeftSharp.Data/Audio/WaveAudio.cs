namespace PeftSharp.Data.Audio;

using System;

/// <summary>Mono audio as floats in [-1, 1) at a sample rate.</summary>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Samples">The samples; 16-bit PCM value v is stored as v / 32768.</param>
public sealed record WaveAudio(int SampleRate, float[] Samples)
{
    /// <summary>Length in seconds.</summary>
    public double Duration => (double)Samples.Length / SampleRate;

    /// <summary>The samples from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive), at the same rate.</summary>
    public WaveAudio Slice(int start, int end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, Samples.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, end);
        return this with { Samples = Samples[start..end] };
    }
}
