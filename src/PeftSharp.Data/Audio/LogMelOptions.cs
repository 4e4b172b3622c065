namespace PeftSharp.Data.Audio;

using System;

/// <summary>
/// Log-mel spectrogram settings: a Hann-windowed STFT of <paramref name="FftSize"/> samples every
/// <paramref name="HopLength"/> samples (frames centred, the signal reflect-padded by FftSize / 2 at both ends, as
/// <c>torch.stft(center=True)</c>), power spectrum, <paramref name="MelBins"/> HTK mel filters between
/// <paramref name="MinFrequency"/> and <paramref name="MaxFrequency"/>, then <c>ln(mel + Floor)</c>.
/// </summary>
public sealed record LogMelOptions(
    int SampleRate = 22050,
    int FftSize = 512,
    int HopLength = 256,
    int MelBins = 40,
    double MinFrequency = 20,
    double MaxFrequency = 8000,
    double Floor = 1e-6)
{
    /// <summary>Frames for <paramref name="samples"/> samples (centred frames: 1 + samples / hop).</summary>
    public int FrameCount(int samples) => 1 + samples / HopLength;

    /// <summary>Throws <see cref="ArgumentException"/> for settings that cannot work.</summary>
    public void Validate()
    {
        if (FftSize < 2 || HopLength < 1 || MelBins < 1 || Floor <= 0)
        {
            throw new ArgumentException($"Log-mel settings need FftSize >= 2, HopLength >= 1, MelBins >= 1 and Floor > 0 (got {this}).");
        }

        if (MinFrequency < 0 || MaxFrequency <= MinFrequency || MaxFrequency > SampleRate / 2.0)
        {
            throw new ArgumentException($"Log-mel settings need 0 <= MinFrequency < MaxFrequency <= SampleRate / 2 (got {MinFrequency}..{MaxFrequency} Hz at {SampleRate} Hz).");
        }
    }
}
