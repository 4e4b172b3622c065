namespace PeftSharp.Data.Audio;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Computes log-mel spectrograms of batches of equal-length mono clips with <c>torch.stft</c> (see
/// <see cref="LogMelOptions"/> for the exact definition). Holds the window and the filter matrix; dispose it.
/// </summary>
public sealed class LogMelSpectrogram : IDisposable
{
    private readonly Tensor window;
    private readonly Tensor filters;

    /// <summary>Prepares the window and the mel filters for <paramref name="options"/>.</summary>
    public LogMelSpectrogram(LogMelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var bank = MelFilterBank.Create(options.SampleRate, options.FftSize, options.MelBins, options.MinFrequency, options.MaxFrequency);
        filters = tensor(ToFloats(bank), [options.MelBins, options.FftSize / 2 + 1]);
        window = hann_window(options.FftSize, periodic: true, dtype: ScalarType.Float32);
    }

    /// <summary>The settings.</summary>
    public LogMelOptions Options { get; }

    /// <summary>
    /// Log-mel spectrograms of <paramref name="waveforms"/> [batch, samples] (float32) as [batch, melBins, frames].
    /// </summary>
    /// <exception cref="ArgumentException">The input is not a 2-D float32 tensor long enough for reflect padding.</exception>
    public Tensor Compute(Tensor waveforms)
    {
        ArgumentNullException.ThrowIfNull(waveforms);
        if (waveforms.dim() != 2 || waveforms.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"Waveforms must be float32 [batch, samples]; got {waveforms.dtype} [{string.Join(", ", waveforms.shape)}].", nameof(waveforms));
        }

        if (waveforms.shape[1] <= Options.FftSize / 2)
        {
            throw new ArgumentException($"Clips of {waveforms.shape[1]} samples are too short for an FFT of {Options.FftSize} (reflect padding needs more than {Options.FftSize / 2}).", nameof(waveforms));
        }

        using var scope = NewDisposeScope();
        var spectrum = stft(waveforms, Options.FftSize, hop_length: Options.HopLength, win_length: Options.FftSize, window: window.to(waveforms.device),
            center: true, pad_mode: PaddingModes.Reflect, normalized: false, onesided: true, return_complex: true);
        var power = spectrum.abs().square();                                      // [batch, bins, frames]
        var mel = matmul(filters.to(waveforms.device), power);                    // [batch, mels, frames]
        using var floor = Options.Floor.ToScalar();
        return mel.add(floor).log().MoveToOuterDisposeScope();
    }

    /// <summary>Log-mel spectrogram of one clip as [melBins, frames] values, row-major.</summary>
    public float[] Compute(ReadOnlySpan<float> samples)
    {
        using var scope = NewDisposeScope();
        using var input = tensor(samples.ToArray(), [1, samples.Length]);
        return Compute(input).data<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        window.Dispose();
        filters.Dispose();
    }

    private static float[] ToFloats(double[,] values)
    {
        var result = new float[values.Length];
        var i = 0;
        foreach (var value in values)
        {
            result[i++] = (float)value;
        }

        return result;
    }
}
