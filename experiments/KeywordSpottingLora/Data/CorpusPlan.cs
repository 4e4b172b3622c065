namespace KeywordSpottingLora.Data;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PeftSharp.Data.Audio;

/// <summary>
/// What to synthesize: every keyword in every accent, voice variant, speaking rate and pitch, each clip placed at a
/// random offset in a fixed-length window with random gain and noise (<see cref="AugmentedCopies"/> times), then
/// turned into a log-mel spectrogram. The target accent's variants are split into adaptation and test voices, so the
/// adapted model is tested on voices it never heard in that accent.
/// </summary>
public sealed record CorpusPlan
{
    /// <summary>The words to recognise (the ten command words of Google's Speech Commands).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];

    /// <summary>espeak-ng voices the base model is trained on.</summary>
    public IReadOnlyList<string> SourceAccents { get; init; } = ["en-us", "en-gb-x-rp", "en-029", "en-us-nyc"];

    /// <summary>The held-out accent the model is adapted to.</summary>
    public string TargetAccent { get; init; } = "en-gb-scotland";

    /// <summary>espeak-ng voice variants (timbre, formant and synthesis settings), applied with <c>accent+variant</c>.</summary>
    public IReadOnlyList<string> Variants { get; init; } = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3", "klatt4"];

    /// <summary>The target accent's variants whose clips may be used for adaptation; its other variants are the test set.</summary>
    public IReadOnlyList<string> TargetAdaptationVariants { get; init; } = ["m1", "f2", "klatt", "m5"];

    /// <summary>Speaking rates in words per minute.</summary>
    public IReadOnlyList<int> Speeds { get; init; } = [130, 165, 200];

    /// <summary>espeak-ng pitch settings (0..99).</summary>
    public IReadOnlyList<int> Pitches { get; init; } = [35, 65];

    /// <summary>Augmented clips made from each synthesized word.</summary>
    public int AugmentedCopies { get; init; } = 1;

    /// <summary>Clip length in seconds (every word is placed inside such a window).</summary>
    public double ClipSeconds { get; init; } = 1.0;

    /// <summary>Lowest and highest signal-to-noise ratio of the added white noise, in dB.</summary>
    public (double Low, double High) NoiseDecibels { get; init; } = (10, 40);

    /// <summary>Seed of offsets, gains and noise.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The spectrogram settings.</summary>
    public LogMelOptions Features { get; init; } = new(SampleRate: 22050, FftSize: 512, HopLength: 256, MelBins: 40, MinFrequency: 20, MaxFrequency: 8000);

    /// <summary>A tiny plan for tests: one source accent, four variants (two to adapt on), one rate and pitch.</summary>
    public static CorpusPlan Smoke => new()
    {
        SourceAccents = ["en-us"],
        Variants = ["m1", "f2", "m3", "klatt"],
        TargetAdaptationVariants = ["m1", "f2"],
        Speeds = [165],
        Pitches = [50],
        AugmentedCopies = 2,
    };

    /// <summary>Samples per clip.</summary>
    public int ClipSamples => (int)Math.Round(ClipSeconds * Features.SampleRate);

    /// <summary>Spectrogram frames per clip.</summary>
    public int Frames => Features.FrameCount(ClipSamples);

    /// <summary>Every accent, source ones first.</summary>
    public IEnumerable<string> Accents => SourceAccents.Append(TargetAccent);

    /// <summary>A digest of everything that determines the data, with the espeak-ng version: the cache key of a generated file.</summary>
    public string Fingerprint(string accent, string espeakVersion)
    {
        var text = string.Join("|",
            accent, espeakVersion, string.Join(",", Keywords), string.Join(",", Variants), string.Join(",", Speeds), string.Join(",", Pitches),
            AugmentedCopies, ClipSeconds, NoiseDecibels, Seed, Features, KeywordSynthesizer.Version);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a plan that cannot be generated or used.</summary>
    public void Validate()
    {
        Features.Validate();
        if (Keywords.Count < 2 || Keywords.Distinct().Count() != Keywords.Count || Keywords.Any(k => !k.All(char.IsAsciiLetterLower)))
        {
            throw new ArgumentException("The plan needs at least two distinct keywords of lower-case ASCII letters.");
        }

        if (SourceAccents.Count == 0 || SourceAccents.Contains(TargetAccent))
        {
            throw new ArgumentException($"The plan needs source accents, and the target accent ({TargetAccent}) must not be one of them.");
        }

        if (TargetAdaptationVariants.Count == 0 || TargetAdaptationVariants.Any(v => !Variants.Contains(v)) || TargetAdaptationVariants.Count >= Variants.Count)
        {
            throw new ArgumentException("The adaptation variants must be some, but not all, of the plan's variants (the rest are the test voices).");
        }

        if (Speeds.Count == 0 || Pitches.Count == 0 || AugmentedCopies < 1 || ClipSeconds <= 0 || NoiseDecibels.Low > NoiseDecibels.High)
        {
            throw new ArgumentException("The plan needs speeds, pitches, at least one copy, a positive clip length and a noise range low <= high.");
        }
    }
}
