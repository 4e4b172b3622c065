namespace PeftSharp.Data.Audio;

using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

/// <summary>
/// Reads RIFF/WAVE files holding mono 16-bit PCM, the format espeak-ng writes, and rejects anything else with an
/// error that names the file, the problem and what is supported. Every size and offset is checked against the bytes
/// actually present before it is used.
/// </summary>
public static class WaveFile
{
    /// <summary>
    /// The size a writer puts into the RIFF and data headers when it writes to a pipe and cannot go back to fill in
    /// the real one (espeak-ng's <c>--stdout</c> writes 0x7FFFF000 for the data chunk). Only accepted with
    /// <c>allowStreamedLength</c>, and only for a data chunk that runs to the end of the bytes.
    /// </summary>
    public const uint StreamedLengthThreshold = 0x7FFF0000;

    private const ushort PcmFormat = 1;
    private const int RiffHeaderBytes = 12;
    private const int ChunkHeaderBytes = 8;
    private const int PcmFormatChunkBytes = 16;

    /// <summary>Reads the WAVE file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not mono 16-bit PCM WAVE or is damaged; the message says how.</exception>
    public static WaveAudio Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"WAVE file '{path}' does not exist.", path);
        }

        return Parse(File.ReadAllBytes(path), path, allowStreamedLength: false);
    }

    /// <summary>
    /// Parses WAVE bytes. <paramref name="source"/> names them in errors. With <paramref name="allowStreamedLength"/>,
    /// a data chunk whose declared size is the placeholder of a streamed write (at least
    /// <see cref="StreamedLengthThreshold"/>) is taken to end with the bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not mono 16-bit PCM WAVE or are damaged; the message says how.</exception>
    public static WaveAudio Parse(ReadOnlySpan<byte> bytes, string source, bool allowStreamedLength = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (bytes.Length < RiffHeaderBytes)
        {
            throw Corrupt(source, $"it has {bytes.Length} bytes, fewer than the 12 of a RIFF header");
        }

        if (!bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
        {
            throw Corrupt(source, $"it does not start with 'RIFF....WAVE' (found '{Printable(bytes[..4])}....{Printable(bytes[8..12])}'); it is not a WAVE file");
        }

        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..8]);
        var streamed = allowStreamedLength && riffSize >= StreamedLengthThreshold;
        if (!streamed && (long)riffSize + ChunkHeaderBytes > bytes.Length)
        {
            throw Corrupt(source, $"the RIFF header declares {riffSize + 8L} bytes but the file has {bytes.Length}; it is truncated");
        }

        var end = streamed ? bytes.Length : (int)(riffSize + ChunkHeaderBytes);
        int? sampleRate = null;
        var offset = RiffHeaderBytes;
        while (offset + ChunkHeaderBytes <= end)
        {
            var id = bytes.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + 4, 4));
            var body = offset + ChunkHeaderBytes;
            if (id.SequenceEqual("data"u8))
            {
                if (sampleRate is null)
                {
                    throw Corrupt(source, $"the 'data' chunk at byte {offset} comes before any 'fmt ' chunk, so the sample format is unknown");
                }

                long available = end - body;
                if (size > available)
                {
                    if (!(allowStreamedLength && size >= StreamedLengthThreshold))
                    {
                        throw Corrupt(source, $"the 'data' chunk at byte {offset} declares {size} bytes but only {available} follow; it is truncated");
                    }

                    size = (uint)available;
                }

                return Decode(bytes.Slice(body, (int)size), sampleRate.Value, source);
            }

            if ((long)body + size > end)
            {
                throw Corrupt(source, $"the '{Printable(id)}' chunk at byte {offset} declares {size} bytes but only {end - body} follow; it is truncated");
            }

            if (id.SequenceEqual("fmt "u8))
            {
                sampleRate = ReadSampleRate(bytes.Slice(body, (int)size), source);
            }

            // Chunks are padded to an even length.
            offset = body + (int)size + (int)(size & 1);
        }

        throw Corrupt(source, sampleRate is null ? "it has no 'fmt ' chunk and no 'data' chunk" : "it has no 'data' chunk");
    }

    private static int ReadSampleRate(ReadOnlySpan<byte> chunk, string source)
    {
        if (chunk.Length < PcmFormatChunkBytes)
        {
            throw Corrupt(source, $"its 'fmt ' chunk has {chunk.Length} bytes, fewer than the 16 of PCM");
        }

        var formatTag = BinaryPrimitives.ReadUInt16LittleEndian(chunk[0..2]);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..4]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..8]);
        var byteRate = BinaryPrimitives.ReadUInt32LittleEndian(chunk[8..12]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(chunk[12..14]);
        var bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..16]);
        if (formatTag != PcmFormat)
        {
            throw Unsupported(source, $"its format tag is {formatTag}, not 1 (integer PCM)");
        }

        if (channels != 1)
        {
            throw Unsupported(source, $"it has {channels} channels, not 1 (mix it down to mono first, e.g. sox in.wav -c 1 out.wav)");
        }

        if (bitsPerSample != 16)
        {
            throw Unsupported(source, $"it has {bitsPerSample} bits per sample, not 16");
        }

        if (sampleRate is < 1000 or > 384_000)
        {
            throw Corrupt(source, $"its sample rate is {sampleRate} Hz, outside 1000..384000");
        }

        if (blockAlign != 2 || byteRate != sampleRate * 2)
        {
            throw Corrupt(source, $"its block align ({blockAlign}) and byte rate ({byteRate}) contradict mono 16-bit at {sampleRate} Hz (expected 2 and {sampleRate * 2})");
        }

        return (int)sampleRate;
    }

    private static WaveAudio Decode(ReadOnlySpan<byte> data, int sampleRate, string source)
    {
        if (data.Length % 2 != 0)
        {
            throw Corrupt(source, $"its 'data' chunk has {data.Length} bytes, not a whole number of 2-byte samples");
        }

        var samples = new float[data.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data.Slice(2 * i, 2)) / 32768f;
        }

        return new WaveAudio(sampleRate, samples);
    }

    private static InvalidDataException Corrupt(string source, string problem) =>
        new($"'{source}' is not a valid WAVE file: {problem}. Regenerate or re-export it.");

    private static InvalidDataException Unsupported(string source, string problem) =>
        new($"'{source}' is a WAVE file this reader does not support: {problem}. Supported: mono 16-bit integer PCM.");

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return text.ToString();
    }
}
