namespace KeywordSpottingLora.Data;

/// <summary>One synthesized keyword, placed in its clip window.</summary>
/// <param name="Keyword">The word.</param>
/// <param name="Label">Its index in the plan's keywords.</param>
/// <param name="Accent">espeak-ng voice (accent).</param>
/// <param name="Variant">espeak-ng voice variant.</param>
/// <param name="Speed">Words per minute.</param>
/// <param name="Pitch">espeak-ng pitch.</param>
/// <param name="Copy">Which augmented copy of the word this is.</param>
/// <param name="Samples">The clip's samples (the plan's clip length).</param>
public sealed record KeywordClip(string Keyword, int Label, string Accent, string Variant, int Speed, int Pitch, int Copy, float[] Samples);
