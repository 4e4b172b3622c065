namespace PeftSharp.Tests.Speech;

using System;
using System.Linq;
using FluentAssertions;
using PeftSharp.Data.Audio;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// The torch.stft log-mel spectrogram against an independent float64 reference written here from the definitions:
/// reflect padding, a periodic Hann window, a direct DFT of every frame, the power spectrum, triangular HTK mel
/// filters computed from their corner frequencies, and the logarithm.
/// </summary>
public sealed class LogMelSpectrogramTests
{
    private static readonly LogMelOptions Options = new(SampleRate: 16000, FftSize: 256, HopLength: 100, MelBins: 24, MinFrequency: 50, MaxFrequency: 7000);

    [Fact]
    public void Matches_a_float64_dft_reference_on_a_chirp_with_noise()
    {
        var random = new Random(5);
        var samples = Enumerable.Range(0, 2000)
            .Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * (200 + 3 * i) * i / 16000.0) + 0.05 * (random.NextDouble() - 0.5)))
            .ToArray();
        using var spectrogram = new LogMelSpectrogram(Options);
        var actual = spectrogram.Compute(samples);
        var expected = Reference(samples, Options);

        var frames = Options.FrameCount(samples.Length);
        actual.Should().HaveCount(Options.MelBins * frames);
        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        // float32 STFT against float64: the log of powers agrees to about 1e-4 (relative error of the power).
        worst.Should().BeLessThan(2e-3f, "the float32 spectrogram should equal the float64 definition");
    }

    [Fact]
    public void A_batch_gives_the_same_rows_as_single_clips()
    {
        var first = Enumerable.Range(0, 1200).Select(i => (float)Math.Sin(i * 0.1)).ToArray();
        var second = Enumerable.Range(0, 1200).Select(i => (float)Math.Cos(i * 0.37)).ToArray();
        using var spectrogram = new LogMelSpectrogram(Options);
        using var scope = NewDisposeScope();
        var batch = spectrogram.Compute(tensor(first.Concat(second).ToArray(), [2, 1200]));
        batch.shape.Should().Equal(2, Options.MelBins, Options.FrameCount(1200));
        batch[1].reshape(-1).data<float>().ToArray().Should().Equal(spectrogram.Compute(second));
    }

    [Fact]
    public void A_pure_tone_puts_its_energy_in_the_mel_band_around_its_frequency()
    {
        const double Tone = 1000;
        var samples = Enumerable.Range(0, 4000).Select(i => (float)Math.Sin(2 * Math.PI * Tone * i / 16000.0)).ToArray();
        using var spectrogram = new LogMelSpectrogram(Options);
        var values = spectrogram.Compute(samples);
        var frames = Options.FrameCount(samples.Length);
        var middle = frames / 2;
        var loudest = Enumerable.Range(0, Options.MelBins).MaxBy(m => values[m * frames + middle]);

        var centres = Enumerable.Range(1, Options.MelBins)
            .Select(i => MelFilterBank.MelToHertz(MelFilterBank.HertzToMel(50) + (MelFilterBank.HertzToMel(7000) - MelFilterBank.HertzToMel(50)) * i / (Options.MelBins + 1)))
            .ToArray();
        var nearest = Enumerable.Range(0, Options.MelBins).MinBy(m => Math.Abs(centres[m] - Tone));
        loudest.Should().Be(nearest);
    }

    [Fact]
    public void Mel_filters_peak_at_one_and_sum_to_one_between_the_first_and_last_centre()
    {
        var bank = MelFilterBank.Create(16000, 512, 20, 0, 8000);
        bank.GetLength(0).Should().Be(20);
        bank.GetLength(1).Should().Be(257);
        var firstCentre = MelFilterBank.MelToHertz(MelFilterBank.HertzToMel(8000) / 21);
        var lastCentre = MelFilterBank.MelToHertz(MelFilterBank.HertzToMel(8000) * 20 / 21);
        for (var k = 0; k < 257; k++)
        {
            var frequency = k * 16000.0 / 512;
            var sum = Enumerable.Range(0, 20).Sum(m => bank[m, k]);
            if (frequency >= firstCentre && frequency <= lastCentre)
            {
                sum.Should().BeApproximately(1.0, 1e-9, $"bin {k} ({frequency} Hz) lies between the first and last centre");
            }

            Enumerable.Range(0, 20).Should().OnlyContain(m => bank[m, k] >= 0 && bank[m, k] <= 1);
        }

        MelFilterBank.HertzToMel(1000).Should().BeApproximately(1000.0, 0.1, "the HTK scale maps 1 kHz to about 1000 mel");
        MelFilterBank.MelToHertz(MelFilterBank.HertzToMel(3210)).Should().BeApproximately(3210, 1e-9);
    }

    [Fact]
    public void Impossible_settings_and_inputs_are_rejected_with_the_reason()
    {
        var bad = () => new LogMelSpectrogram(Options with { MaxFrequency = 9000 });
        bad.Should().Throw<ArgumentException>().WithMessage("*MaxFrequency <= SampleRate / 2*");
        using var spectrogram = new LogMelSpectrogram(Options);
        var tooShort = () => spectrogram.Compute(new float[100]);
        tooShort.Should().Throw<ArgumentException>().WithMessage("*too short for an FFT of 256*");
        using var wrong = zeros(2, 3, 1000);
        var threeD = () => spectrogram.Compute(wrong);
        threeD.Should().Throw<ArgumentException>().WithMessage("*float32 [batch, samples]*");
    }

    /// <summary>The definition in float64, written independently of the library.</summary>
    private static float[] Reference(float[] samples, LogMelOptions o)
    {
        var n = o.FftSize;
        var pad = n / 2;
        // Reflect padding without repeating the edge sample, as torch.stft(center=True, pad_mode="reflect").
        double At(int i) => samples[i < 0 ? -i : i >= samples.Length ? 2 * (samples.Length - 1) - i : i];
        var frames = 1 + samples.Length / o.HopLength;
        var bins = n / 2 + 1;
        var window = Enumerable.Range(0, n).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n)).ToArray();

        // Mel filters from corner frequencies: weight rises linearly from the left corner to the centre, falls to the right.
        static double Mel(double f) => 2595 * Math.Log10(1 + f / 700);
        static double Hz(double m) => 700 * (Math.Pow(10, m / 2595) - 1);
        var corners = Enumerable.Range(0, o.MelBins + 2).Select(i => Hz(Mel(o.MinFrequency) + (Mel(o.MaxFrequency) - Mel(o.MinFrequency)) * i / (o.MelBins + 1))).ToArray();
        double Weight(int m, double f) =>
            f <= corners[m] || f >= corners[m + 2] ? 0
            : f <= corners[m + 1] ? (f - corners[m]) / (corners[m + 1] - corners[m])
            : (corners[m + 2] - f) / (corners[m + 2] - corners[m + 1]);

        var result = new float[o.MelBins * frames];
        for (var t = 0; t < frames; t++)
        {
            var power = new double[bins];
            for (var k = 0; k < bins; k++)
            {
                double re = 0, im = 0;
                for (var j = 0; j < n; j++)
                {
                    var x = At(t * o.HopLength - pad + j) * window[j];
                    var angle = -2 * Math.PI * k * j / n;
                    re += x * Math.Cos(angle);
                    im += x * Math.Sin(angle);
                }

                power[k] = re * re + im * im;
            }

            for (var m = 0; m < o.MelBins; m++)
            {
                var energy = Enumerable.Range(0, bins).Sum(k => Weight(m, (double)k * o.SampleRate / n) * power[k]);
                result[m * frames + t] = (float)Math.Log(energy + o.Floor);
            }
        }

        return result;
    }
}
