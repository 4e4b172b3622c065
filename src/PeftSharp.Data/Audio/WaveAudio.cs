namespace PeftSharp.Data.Audio;

/// <summary>Mono audio as floats in [-1, 1) at a sample rate.</summary>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Samples">The samples; 16-bit PCM value v is stored as v / 32768.</param>
public sealed record WaveAudio(int SampleRate, float[] Samples)
{
    /// <summary>Length in seconds.</summary>
    public double Duration => (double)Samples.Length / SampleRate;
}
