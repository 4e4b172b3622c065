namespace PeftSharp.Tests.Speech;

using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using FluentAssertions;
using PeftSharp.Data.Audio;
using PeftSharp.Tests.Data;
using Xunit;

/// <summary>The WAVE reader decodes what espeak-ng writes and rejects every damaged or unsupported file by name.</summary>
public sealed class WaveFileTests
{
    private static readonly short[] Pcm = [0, 16384, -32768, 32767, -1];

    [Fact]
    public void Decodes_mono_16_bit_pcm_to_floats()
    {
        var audio = WaveFile.Parse(Build(), "test.wav");
        audio.SampleRate.Should().Be(22050);
        audio.Samples.Should().Equal(0f, 0.5f, -1f, 32767f / 32768f, -1f / 32768f);
    }

    [Fact]
    public void Skips_unknown_chunks_including_their_pad_byte()
    {
        var list = new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', 3, 0, 0, 0, 1, 2, 3, 0 };
        var audio = WaveFile.Parse(Build(extraChunkBeforeData: list), "list.wav");
        audio.Samples.Should().HaveCount(Pcm.Length);
    }

    [Fact]
    public void Reads_a_file_from_disk_and_names_a_missing_one()
    {
        using var folder = new TempDirectory();
        var path = folder.File("a.wav");
        File.WriteAllBytes(path, Build());
        WaveFile.Read(path).Samples.Should().HaveCount(Pcm.Length);
        var missing = () => WaveFile.Read(folder.File("none.wav"));
        missing.Should().Throw<FileNotFoundException>().WithMessage("*none.wav*does not exist*");
    }

    [Fact]
    public void Streamed_placeholder_sizes_are_accepted_only_when_allowed()
    {
        // What espeak-ng --stdout writes: it cannot seek back, so RIFF and data sizes are placeholders.
        var bytes = Build();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 0x7FFFF024);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), 0x7FFFF000);
        WaveFile.Parse(bytes, "pipe", allowStreamedLength: true).Samples.Should().HaveCount(Pcm.Length);
        var strict = () => WaveFile.Parse(bytes, "pipe.wav");
        strict.Should().Throw<InvalidDataException>().WithMessage("*'pipe.wav'*declares*truncated*");
    }

    [Theory]
    [InlineData(0, "*fewer than the 12 of a RIFF header*")]
    [InlineData(11, "*fewer than the 12 of a RIFF header*")]
    [InlineData(30, "*truncated*")]
    [InlineData(50, "*truncated*")]
    public void Truncated_files_are_rejected(int keep, string message)
    {
        var bytes = Build()[..keep];
        var parse = () => WaveFile.Parse(bytes, "cut.wav");
        parse.Should().Throw<InvalidDataException>().WithMessage("'cut.wav' is not a valid WAVE file: " + message);
    }

    [Fact]
    public void A_data_chunk_that_claims_more_bytes_than_follow_is_truncated()
    {
        var bytes = Build();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), 1000);
        var parse = () => WaveFile.Parse(bytes, "x.wav", allowStreamedLength: true);
        parse.Should().Throw<InvalidDataException>().WithMessage("*'data' chunk at byte 36 declares 1000 bytes but only 10 follow*");
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_fails_with_a_message_and_never_crashes()
    {
        var bytes = Build();
        for (var keep = 0; keep < bytes.Length; keep++)
        {
            var parse = () => WaveFile.Parse(bytes.AsSpan(0, keep), "cut.wav");
            parse.Should().Throw<InvalidDataException>().Which.Message.Should().StartWith("'cut.wav' is not a valid WAVE file");
        }
    }

    [Fact]
    public void Other_files_and_formats_are_named()
    {
        var notWave = "RIFF\u0004\0\0\0AVI "u8.ToArray();
        Parse(notWave).Should().Throw<InvalidDataException>().WithMessage("*does not start with 'RIFF....WAVE' (found 'RIFF....AVI ')*");
        Parse(Build(formatTag: 3)).Should().Throw<InvalidDataException>().WithMessage("*format tag is 3, not 1 (integer PCM)*Supported: mono 16-bit*");
        Parse(Build(channels: 2)).Should().Throw<InvalidDataException>().WithMessage("*2 channels, not 1*mono*");
        Parse(Build(bits: 8)).Should().Throw<InvalidDataException>().WithMessage("*8 bits per sample, not 16*");
        Parse(Build(sampleRate: 10)).Should().Throw<InvalidDataException>().WithMessage("*sample rate is 10 Hz*");
        Parse(Build(blockAlign: 4)).Should().Throw<InvalidDataException>().WithMessage("*block align (4) and byte rate*contradict*");
    }

    [Fact]
    public void Structure_errors_are_named()
    {
        var noFormat = Build();
        "junk"u8.CopyTo(noFormat.AsSpan(12));   // the fmt chunk becomes an unknown one
        Parse(noFormat).Should().Throw<InvalidDataException>().WithMessage("*'data' chunk at byte 36 comes before any 'fmt ' chunk*");

        var odd = Build();
        BinaryPrimitives.WriteUInt32LittleEndian(odd.AsSpan(40), 9);
        Parse(odd).Should().Throw<InvalidDataException>().WithMessage("*9 bytes, not a whole number of 2-byte samples*");

        var noData = Build()[..36];
        BinaryPrimitives.WriteUInt32LittleEndian(noData.AsSpan(4), 28);
        Parse(noData).Should().Throw<InvalidDataException>().WithMessage("*it has no 'data' chunk*");

        var shortFormat = Build();
        BinaryPrimitives.WriteUInt32LittleEndian(shortFormat.AsSpan(16), 14);
        Parse(shortFormat).Should().Throw<InvalidDataException>().WithMessage("*'fmt ' chunk has 14 bytes, fewer than the 16 of PCM*");
    }

    private static Func<WaveAudio> Parse(byte[] bytes) => () => WaveFile.Parse(bytes, "bad.wav");

    /// <summary>A canonical 44-byte-header file holding <see cref="Pcm"/>, with fields to break.</summary>
    private static byte[] Build(ushort formatTag = 1, ushort channels = 1, uint sampleRate = 22050, ushort bits = 16, ushort? blockAlign = null, byte[]? extraChunkBeforeData = null)
    {
        var extra = extraChunkBeforeData ?? [];
        var data = Pcm.SelectMany(s => BitConverter.GetBytes(s)).ToArray();
        var bytes = new byte[44 + extra.Length + data.Length];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(bytes.Length - 8));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], sampleRate);
        var align = blockAlign ?? (ushort)(channels * bits / 8);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], sampleRate * (uint)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], align);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], bits);
        extra.CopyTo(span[36..]);
        var at = 36 + extra.Length;
        "data"u8.CopyTo(span[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], (uint)data.Length);
        data.CopyTo(span[(at + 8)..]);
        return bytes;
    }
}
