namespace PeftSharp.Tests.Serialization;

using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using FluentAssertions;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// A file written byte by byte from the format's specification, with the reference PEFT's adapter key names: the
/// reader must load it to the expected values, and the writer must produce exactly these bytes.
/// </summary>
public sealed class HandWrittenFixtureTests
{
    // 491 bytes of JSON, padded with 5 spaces to 496 (a multiple of 8), as the reference writer does.
    private const string HeaderJson =
        "{\"__metadata__\":{\"format\":\"pt\"}," +
        "\"base_model.model.classifier.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
        "\"base_model.model.encoder.layer.0.attention.self.query.lora_A.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]}," +
        "\"base_model.model.encoder.layer.0.attention.self.query.lora_B.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[16,24]}," +
        "\"base_model.model.encoder.layer.0.attention.self.query.lora_magnitude_vector\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[24,28]}}" +
        "     ";

    internal static byte[] FixtureBytes()
    {
        var bytes = new List<byte>();
        bytes.AddRange(new byte[] { 0xF0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }); // 496, u64 little-endian
        bytes.AddRange(Encoding.UTF8.GetBytes(HeaderJson));
        bytes.AddRange(new byte[] { 0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x00, 0xBF }); // F32 0.5, -0.5
        bytes.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40 }); // F32 1, 2
        bytes.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3E, 0x00, 0x00, 0x40, 0x40 }); // F32 0.25, 3
        bytes.AddRange(new byte[] { 0x80, 0x3F, 0x00, 0xC0 });                         // BF16 1, -2
        return bytes.ToArray();
    }

    [Fact]
    public void The_header_length_field_matches_the_json()
    {
        Encoding.UTF8.GetByteCount(HeaderJson).Should().Be(496);
    }

    [Fact]
    public void A_hand_written_file_with_reference_key_names_loads_to_the_expected_values()
    {
        using var folder = new TempDirectory();
        var path = folder.File("adapter_model.safetensors");
        File.WriteAllBytes(path, FixtureBytes());

        using var file = Safetensors.Open(path);
        var loaded = file.LoadAll();

        try
        {
            file.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["format"] = "pt" });
            file.Tensors.Select(t => t.Name).Should().Equal(
                "base_model.model.classifier.bias",
                "base_model.model.encoder.layer.0.attention.self.query.lora_A.weight",
                "base_model.model.encoder.layer.0.attention.self.query.lora_B.weight",
                "base_model.model.encoder.layer.0.attention.self.query.lora_magnitude_vector");
            loaded["base_model.model.classifier.bias"].data<float>().ToArray().Should().Equal(0.5f, -0.5f);
            var loraA = loaded["base_model.model.encoder.layer.0.attention.self.query.lora_A.weight"];
            loraA.shape.Should().Equal(1, 2);
            loraA.data<float>().ToArray().Should().Equal(1f, 2f);
            var loraB = loaded["base_model.model.encoder.layer.0.attention.self.query.lora_B.weight"];
            loraB.shape.Should().Equal(2, 1);
            loraB.data<float>().ToArray().Should().Equal(0.25f, 3f);
            var magnitude = loaded["base_model.model.encoder.layer.0.attention.self.query.lora_magnitude_vector"];
            magnitude.dtype.Should().Be(ScalarType.BFloat16);
            using var asFloat = magnitude.to(ScalarType.Float32);
            asFloat.data<float>().ToArray().Should().Equal(1f, -2f);
        }
        finally
        {
            SafetensorsRoundTripTests.Dispose(loaded);
        }
    }

    [Fact]
    public void The_writer_produces_the_hand_written_bytes_exactly()
    {
        using var folder = new TempDirectory();
        var path = folder.File("written.safetensors");
        using var bias = tensor(new[] { 0.5f, -0.5f });
        using var loraA = tensor(new[] { 1f, 2f }).reshape(1, 2);
        using var loraB = tensor(new[] { 0.25f, 3f }).reshape(2, 1);
        using var magnitude = tensor(new[] { 1f, -2f }).to(ScalarType.BFloat16);

        // Given in a scrambled order: the writer sorts like the reference (dtype alignment, then name).
        Safetensors.Save(
            path,
            [
                new("base_model.model.encoder.layer.0.attention.self.query.lora_magnitude_vector", magnitude),
                new("base_model.model.encoder.layer.0.attention.self.query.lora_B.weight", loraB),
                new("base_model.model.classifier.bias", bias),
                new("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight", loraA),
            ],
            new Dictionary<string, string> { ["format"] = "pt" });

        File.ReadAllBytes(path).Should().Equal(FixtureBytes());
    }
}
