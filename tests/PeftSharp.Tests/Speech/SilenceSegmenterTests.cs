namespace PeftSharp.Tests.Speech;

using System;
using System.Linq;
using FluentAssertions;
using PeftSharp.Data.Audio;
using Xunit;

/// <summary>Cutting an utterance into words at its long pauses.</summary>
public sealed class SilenceSegmenterTests
{
    [Fact]
    public void Splits_at_long_pauses_and_keeps_short_ones_inside_a_word()
    {
        const int Rate = 8000;
        var samples = new float[3 * Rate];
        // Word 1: 0.10-0.30 s with a 0.05 s closure inside (like the stop in "stop"); word 2: 0.80-1.00 s; word 3: 2.00-2.20 s.
        Fill(samples, 0.10, 0.18, Rate, 0.5f);
        Fill(samples, 0.23, 0.30, Rate, 0.3f);
        Fill(samples, 0.80, 1.00, Rate, 0.8f);
        Fill(samples, 2.00, 2.20, Rate, 0.03f);   // quiet, yet above 2% of the peak
        var segments = SilenceSegmenter.Split(new WaveAudio(Rate, samples));

        segments.Should().HaveCount(3);
        segments.Select(s => (Math.Round(s.Start / (double)Rate, 2), Math.Round(s.End / (double)Rate, 2)))
            .Should().Equal((0.10, 0.30), (0.80, 1.00), (2.00, 2.20));
    }

    [Fact]
    public void Silence_has_no_segments()
    {
        SilenceSegmenter.Split(new WaveAudio(8000, new float[8000])).Should().BeEmpty();
    }

    private static void Fill(float[] samples, double from, double to, int rate, float amplitude)
    {
        for (var i = (int)(from * rate); i < (int)(to * rate); i++)
        {
            samples[i] = amplitude * (float)Math.Sin(i * 0.7);
        }
    }
}
