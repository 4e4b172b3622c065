namespace PeftSharp.Data.Audio;

using System;
using System.Collections.Generic;

/// <summary>
/// Splits audio into the sounding stretches between pauses: frames whose peak is below a fraction of the loudest
/// sample are silent, and a run of silent frames at least <c>minimumGap</c> long separates two segments. Used to cut
/// one espeak-ng utterance of several words, spoken with long word gaps, into one clip per word.
/// </summary>
public static class SilenceSegmenter
{
    /// <summary>The [start, end) sample ranges of the segments, in order.</summary>
    /// <param name="audio">The audio.</param>
    /// <param name="minimumGap">Shortest pause, in seconds, that separates segments (pauses inside words are shorter).</param>
    /// <param name="threshold">A frame is silent when its peak is below this fraction of the audio's peak.</param>
    /// <param name="frameSeconds">Frame length in seconds.</param>
    public static IReadOnlyList<(int Start, int End)> Split(WaveAudio audio, double minimumGap = 0.25, double threshold = 0.02, double frameSeconds = 0.005)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minimumGap);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameSeconds);
        var samples = audio.Samples;
        var peak = 0f;
        foreach (var s in samples)
        {
            peak = Math.Max(peak, Math.Abs(s));
        }

        var segments = new List<(int, int)>();
        if (peak == 0f)
        {
            return segments;
        }

        var frame = Math.Max(1, (int)(frameSeconds * audio.SampleRate));
        var gapFrames = Math.Max(1, (int)Math.Ceiling(minimumGap / frameSeconds));
        var level = peak * threshold;
        int? start = null;
        var lastSound = 0;
        for (var f = 0; f * frame < samples.Length; f++)
        {
            var from = f * frame;
            var to = Math.Min(samples.Length, from + frame);
            var loud = false;
            for (var i = from; i < to && !loud; i++)
            {
                loud = Math.Abs(samples[i]) >= level;
            }

            if (loud)
            {
                start ??= from;
                lastSound = to;
            }
            else if (start is not null && from - lastSound >= (gapFrames - 1) * frame)
            {
                segments.Add((start.Value, lastSound));
                start = null;
            }
        }

        if (start is not null)
        {
            segments.Add((start.Value, lastSound));
        }

        return segments;
    }
}
