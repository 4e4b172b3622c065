namespace PeftSharp.Tests.Serialization;

using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using FluentAssertions;
using FluentAssertions.Specialized;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using Xunit;

/// <summary>Each kind of malformed file gives its own clear error, never a crash or a huge allocation.</summary>
public sealed class MalformedSafetensorsTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_file_shorter_than_eight_bytes()
    {
        Problem(new byte[] { 1, 2, 3, 4, 5 }, SafetensorsProblem.FileTooShort)
            .WithMessage("*is not a valid safetensors file: the file has 5 bytes, fewer than the 8-byte header length*");
    }

    [Fact]
    public void A_header_length_of_zero()
    {
        Problem(Raw(0, "", new byte[16]), SafetensorsProblem.EmptyHeader).WithMessage("*the header length is 0*");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void A_header_length_over_the_limit(ulong length)
    {
        Problem(Raw(length, "{}", []), SafetensorsProblem.HeaderTooLarge)
            .WithMessage($"*the header length is {length} bytes, more than the limit of 100000000*");
    }

    [Fact]
    public void A_header_length_past_the_end_of_the_file_is_caught_before_allocating()
    {
        // A 99 MB claim in a 10-byte file: rejected from the file length, with no 99 MB buffer.
        Problem(Raw(99_000_000, "{}", []), SafetensorsProblem.HeaderPastEndOfFile)
            .WithMessage("*the header length is 99000000 bytes, but only 2 bytes follow the length field*");
    }

    [Fact]
    public void A_header_that_is_not_utf8()
    {
        var header = new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        Problem(Raw((ulong)header.Length, header, []), SafetensorsProblem.HeaderNotUtf8).WithMessage("*not valid UTF-8*");
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\": {\"dtype\": \"F32\",}}")]
    [InlineData("{} {}")]
    [InlineData("{}\0\0")]
    [InlineData("   ")]
    [InlineData("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}")]
    [InlineData("{\"__metadata__\":{\"k\":\"\\udc00x\"}}")]
    public void A_header_that_is_not_json(string header)
    {
        Problem(Raw(header), SafetensorsProblem.HeaderNotJson).WithMessage("*the header is*JSON*");
    }

    [Theory]
    [InlineData("[1, 2]", "array")]
    [InlineData("\"text\"", "string")]
    [InlineData("42", "number")]
    public void A_header_that_is_not_an_object(string header, string kind)
    {
        Problem(Raw(header), SafetensorsProblem.HeaderNotObject).WithMessage($"*must be a JSON object, but it is a JSON {kind}*");
    }

    [Fact]
    public void A_duplicate_tensor_name()
    {
        const string Entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        Problem(Raw($"{{\"w\":{Entry},\"w\":{Entry}}}", new byte[4]), SafetensorsProblem.DuplicateName)
            .WithMessage("*the tensor name 'w' appears more than once*");
    }

    [Fact]
    public void A_duplicate_metadata_key_or_entry_field()
    {
        Problem(Raw("{\"__metadata__\":{\"format\":\"pt\",\"format\":\"np\"}}"), SafetensorsProblem.DuplicateName)
            .WithMessage("*the metadata key 'format' appears more than once*");
        Problem(Raw("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,4]}}", new byte[8]), SafetensorsProblem.DuplicateName)
            .WithMessage("*tensor 'w' has the field 'dtype' twice*");
        Problem(Raw("{\"__metadata__\":{},\"__metadata__\":{}}"), SafetensorsProblem.DuplicateName)
            .WithMessage("*two \"__metadata__\" entries*");
    }

    [Theory]
    [InlineData("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "*tensor 'w' lacks dtype.")]
    [InlineData("{\"w\":{\"dtype\":\"F32\"}}", "*tensor 'w' lacks shape and data_offsets.")]
    [InlineData("{\"w\":[1,2]}", "*entry of tensor 'w' must be an object with dtype, shape and data_offsets, but it is a JSON array.")]
    [InlineData("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "*tensor 'w': dtype must be a string such as \"F32\", but its value is a JSON number.")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", "*tensor 'w': shape must be an array of non-negative integers, but its value is a JSON string.")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", "*tensor 'w': shape must be an array of non-negative integers, but its element value is a JSON string.")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"begin\":0}}}", "*tensor 'w': data_offsets must be an array of two non-negative integers [begin, end], but its value is a JSON object.")]
    public void An_entry_with_missing_fields_or_wrong_json_types(string header, string message)
    {
        Problem(Raw(header, new byte[8]), SafetensorsProblem.InvalidEntry).WithMessage(message);
    }

    [Fact]
    public void Unknown_fields_in_an_entry_are_ignored_like_the_reference()
    {
        var bytes = Raw("{\"w\":{\"dtype\":\"F32\",\"extra\":{\"nested\":[1,{}]},\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        var path = Write(bytes);

        using var file = Safetensors.Open(path);

        file.Tensors.Should().ContainSingle().Which.Shape.Should().Equal(1);
    }

    [Fact]
    public void An_unknown_dtype()
    {
        Problem(Raw("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), SafetensorsProblem.UnknownDType)
            .WithMessage("*tensor 'w' has the unknown dtype 'F33'; supported dtypes are BOOL, U8, I8, I16, F16, BF16, I32, F32, F64, I64.");
    }

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("U16")]
    [InlineData("U64")]
    public void A_valid_dtype_that_TorchSharp_cannot_hold(string dtype)
    {
        Problem(Raw($"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":[1],\"data_offsets\":[0,1]}}}}", new byte[8]), SafetensorsProblem.UnsupportedDType)
            .WithMessage($"*tensor 'w' has dtype '{dtype}', which TorchSharp cannot hold*");
    }

    [Theory]
    [InlineData("[2,-3]", "*tensor 'w' has a negative dimension (-3) in its shape.")]
    [InlineData("[1.5]", "*tensor 'w' has '1.5' in shape, which is not an integer that fits in 64 bits.")]
    [InlineData("[99999999999999999999]", "*'99999999999999999999' in shape, which is not an integer that fits in 64 bits.")]
    [InlineData("[4294967296,4294967296,4]", "*tensor 'w' has the shape [4294967296, 4294967296, 4], whose size in bytes overflows a 64-bit integer.")]
    [InlineData("[1152921504606846976,4]", "*whose size in bytes overflows a 64-bit integer.")]
    public void A_negative_fractional_or_overflowing_shape(string shape, string message)
    {
        Problem(Raw($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,4]}}}}", new byte[4]), SafetensorsProblem.InvalidShape)
            .WithMessage(message);
    }

    [Theory]
    [InlineData("[8,4]", "*tensor 'w' has data_offsets [8, 4]; they must be [begin, end] with 0 <= begin <= end.")]
    [InlineData("[4]", "*tensor 'w' has data_offsets [4]; they must be*")]
    [InlineData("[0,4,8]", "*tensor 'w' has data_offsets [0, 4, 8]; they must be*")]
    [InlineData("[-4,0]", "*tensor 'w' has a negative offset (-4) in data_offsets.")]
    public void Offsets_that_are_not_begin_end(string offsets, string message)
    {
        Problem(Raw($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{offsets}}}}}", new byte[8]), SafetensorsProblem.InvalidOffsets)
            .WithMessage(message);
    }

    [Fact]
    public void A_tensor_that_ends_beyond_the_data_section()
    {
        Problem(Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[12]), SafetensorsProblem.DataOutOfRange)
            .WithMessage("*tensor 'w' ends at byte 16 of the data section, but the data section has only 12 bytes (is the file truncated?).");
    }

    [Fact]
    public void A_huge_shape_with_offsets_past_the_end_is_rejected_before_allocating()
    {
        // 2^40 float32 elements claimed in a file of a few bytes: the byte range check fires first.
        Problem(Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776],\"data_offsets\":[0,4398046511104]}}", new byte[8]), SafetensorsProblem.DataOutOfRange)
            .WithMessage("*ends at byte 4398046511104*");
    }

    [Fact]
    public void A_byte_range_that_does_not_match_the_shape_and_dtype()
    {
        Problem(Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]), SafetensorsProblem.SizeMismatch)
            .WithMessage("*tensor 'w' (F32, shape [2, 3]) needs 24 bytes, but its data_offsets [0, 20] span 20.");
    }

    [Fact]
    public void Overlapping_tensors()
    {
        const string Header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Problem(Raw(Header, new byte[12]), SafetensorsProblem.OverlappingTensors)
            .WithMessage("*tensors 'a' [0, 8) and 'b' [4, 12) overlap.");
    }

    [Fact]
    public void Gaps_and_unused_bytes_are_allowed_and_empty_tensors_overlap_nothing()
    {
        const string Header = "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]},\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]},\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]}}";
        var path = Write(Raw(Header, new byte[] { 9, 1, 2, 9, 9, 9, 3, 4, 9, 9 }));

        using var file = Safetensors.Open(path);
        using var a = file.Load("a");
        using var b = file.Load("b");
        using var e = file.Load("e");

        file.Tensors.Select(t => t.Name).Should().Equal("b", "a", "e");
        a.data<byte>().ToArray().Should().Equal(1, 2);
        b.data<byte>().ToArray().Should().Equal(3, 4);
        e.shape.Should().Equal(0);
    }

    [Theory]
    [InlineData("{\"__metadata__\":{\"format\":1}}", "*\"__metadata__\" must map strings to strings, but the value of 'format' is a JSON number.")]
    [InlineData("{\"__metadata__\":{\"format\":null}}", "*the value of 'format' is a JSON null.")]
    [InlineData("{\"__metadata__\":{\"nested\":{\"a\":\"b\"}}}", "*the value of 'nested' is a JSON object.")]
    [InlineData("{\"__metadata__\":[\"format\",\"pt\"]}", "*\"__metadata__\" must be an object of string values, but it is a JSON array.")]
    public void Metadata_that_is_not_string_to_string(string header, string message)
    {
        Problem(Raw(header), SafetensorsProblem.InvalidMetadata).WithMessage(message);
    }

    [Fact]
    public void A_bool_tensor_holding_a_byte_other_than_zero_or_one()
    {
        var path = Write(Raw("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", new byte[] { 1, 0, 7 }));
        using var file = Safetensors.Open(path);

        var act = () => file.Load("m");

        act.Should().Throw<SafetensorsFormatException>()
            .Where(e => e.Problem == SafetensorsProblem.InvalidBoolValue)
            .WithMessage("*BOOL tensor 'm' holds the byte 7 at element 2; BOOL bytes must be 0 or 1.");
    }

    [Fact]
    public void A_file_truncated_after_it_was_opened()
    {
        var bytes = HandWrittenFixtureTests.FixtureBytes();
        var path = Write(bytes);
        using var file = Safetensors.Open(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(bytes.Length - 2);
        }

        var act = () => file.Load(file.Tensors[^1].Name);

        act.Should().Throw<SafetensorsFormatException>()
            .Where(e => e.Problem == SafetensorsProblem.Truncated)
            .WithMessage("*the file ended at byte 530 while 4 bytes were being read from byte 528*");
    }

    [Fact]
    public void Very_long_names_are_shortened_in_messages()
    {
        var name = new string('x', 5000);
        Problem(Raw($"{{\"{name}\":{{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}}}", new byte[4]), SafetensorsProblem.UnknownDType)
            .Which.Message.Length.Should().BeLessThan(500);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_gives_a_format_error_and_nothing_else()
    {
        var bytes = HandWrittenFixtureTests.FixtureBytes();
        var path = folder.File("truncated.safetensors");
        for (var length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());

            var act = () =>
            {
                using var file = Safetensors.Open(path);
                SafetensorsRoundTripTests.Dispose(file.LoadAll());
            };

            act.Should().Throw<SafetensorsFormatException>($"a file cut to {length} of {bytes.Length} bytes is invalid");
        }
    }

    [Fact]
    public void Corrupting_any_header_byte_gives_a_format_error_or_a_valid_file_never_a_crash()
    {
        var original = HandWrittenFixtureTests.FixtureBytes();
        var path = folder.File("corrupt.safetensors");
        var random = new Random(7);
        byte[] replacements = [0x00, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)'-', (byte)'9', 0xFF, (byte)' ', (byte)','];
        for (var position = 0; position < 8 + 496; position++)
        {
            var bytes = (byte[])original.Clone();
            bytes[position] = position < 8 ? (byte)random.Next(256) : replacements[random.Next(replacements.Length)];
            File.WriteAllBytes(path, bytes);

            try
            {
                using var file = Safetensors.Open(path);
                SafetensorsRoundTripTests.Dispose(file.LoadAll());
            }
            catch (SafetensorsFormatException)
            {
                // The expected outcome for most corruptions.
            }
        }
    }

    private static byte[] Raw(string header, byte[]? data = null) =>
        Raw((ulong)Encoding.UTF8.GetByteCount(header), Encoding.UTF8.GetBytes(header), data ?? []);

    private static byte[] Raw(ulong headerLength, string header, byte[] data) => Raw(headerLength, Encoding.UTF8.GetBytes(header), data);

    private static byte[] Raw(ulong headerLength, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private string Write(byte[] bytes)
    {
        var path = folder.File(Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private ExceptionAssertions<SafetensorsFormatException> Problem(byte[] bytes, SafetensorsProblem problem)
    {
        var path = Write(bytes);
        var act = () =>
        {
            using var file = Safetensors.Open(path);
            SafetensorsRoundTripTests.Dispose(file.LoadAll());
        };

        return act.Should().Throw<SafetensorsFormatException>()
            .Where(e => e.Problem == problem && e.FilePath == path, $"the problem is {problem}")
            .WithMessage($"'{path}' is not a valid safetensors file: *");
    }
}
