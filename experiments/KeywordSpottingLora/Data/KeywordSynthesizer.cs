namespace KeywordSpottingLora.Data;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data;
using PeftSharp.Data.Audio;

/// <summary>
/// Synthesizes the plan's keywords for one voice setting. All keywords are spoken in one espeak-ng call, as separate
/// sentences with a long word gap, and cut apart at the pauses (one process instead of one per word: process start-up
/// dominates). When the cut does not give exactly one segment per keyword, each keyword is synthesized on its own.
/// </summary>
public sealed class KeywordSynthesizer(EspeakNg espeak, CorpusPlan plan)
{
    /// <summary>Changes when the way clips are made changes (part of the cache key).</summary>
    public const int Version = 2;

    /// <summary>Extra pause between words, in espeak-ng's 10 ms units: far longer than any pause inside a word.</summary>
    private const int WordGap = 80;

    /// <summary>How many voice settings fell back to one call per word (a sign the segmentation needs attention).</summary>
    public int Fallbacks => fallbacks;

    private int fallbacks;

    /// <summary>The augmented clips of every keyword for <paramref name="accent"/>+<paramref name="variant"/> at one rate and pitch.</summary>
    public async Task<IReadOnlyList<KeywordClip>> SynthesizeAsync(string accent, string variant, int speed, int pitch, CancellationToken cancellationToken)
    {
        var voice = $"{accent}+{variant}";
        var sentence = string.Join(" ", plan.Keywords.Select(k => k + "."));
        var audio = await espeak.SynthesizeAsync(sentence, voice, speed, pitch, WordGap, cancellationToken).ConfigureAwait(false);
        CheckRate(audio, voice);
        var segments = SilenceSegmenter.Split(audio);
        var words = new List<float[]>();
        if (segments.Count == plan.Keywords.Count)
        {
            words.AddRange(segments.Select(s => audio.Samples[s.Start..s.End]));
        }
        else
        {
            Interlocked.Increment(ref fallbacks);
            foreach (var keyword in plan.Keywords)
            {
                var single = await espeak.SynthesizeAsync(keyword, voice, speed, pitch, 0, cancellationToken).ConfigureAwait(false);
                CheckRate(single, voice);
                var parts = SilenceSegmenter.Split(single);
                if (parts.Count == 0)
                {
                    throw new InvalidOperationException($"espeak-ng -v {voice} produced only silence for '{keyword}'.");
                }

                words.Add(single.Samples[parts[0].Start..parts[^1].End]);
            }
        }

        var clips = new List<KeywordClip>(plan.Keywords.Count * plan.AugmentedCopies);
        for (var label = 0; label < plan.Keywords.Count; label++)
        {
            for (var copy = 0; copy < plan.AugmentedCopies; copy++)
            {
                var key = StableHash.OfString($"{plan.Seed}|{voice}|{speed}|{pitch}|{plan.Keywords[label]}|{copy}");
                var samples = ClipAugmentation.Place(words[label], plan.ClipSamples, plan.NoiseDecibels, new DeterministicRandom(key));
                clips.Add(new KeywordClip(plan.Keywords[label], label, accent, variant, speed, pitch, copy, samples));
            }
        }

        return clips;
    }

    private void CheckRate(WaveAudio audio, string voice)
    {
        if (audio.SampleRate != plan.Features.SampleRate)
        {
            throw new InvalidOperationException(
                $"espeak-ng -v {voice} wrote {audio.SampleRate} Hz audio; the plan's spectrograms expect {plan.Features.SampleRate} Hz.");
        }
    }
}
