namespace PeftSharp.Models.Onnx;

using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Text;

/// <summary>
/// A bounds-checked reader of the protocol buffers wire format over one message's bytes. Every length and varint is
/// validated; truncated or malformed input throws <see cref="InvalidDataException"/> naming the offset.
/// </summary>
internal struct ProtoReader
{
    private readonly ReadOnlyMemory<byte> buffer;
    private readonly string context;
    private int position;

    public ProtoReader(ReadOnlyMemory<byte> buffer, string context)
    {
        this.buffer = buffer;
        this.context = context;
        position = 0;
    }

    public readonly bool AtEnd => position >= buffer.Length;

    /// <summary>Reads the next field key; returns false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (AtEnd)
        {
            field = 0;
            wireType = default;
            return false;
        }

        var start = position;
        var key = ReadVarint();
        field = (int)(key >> 3);
        wireType = (WireType)(key & 7);
        if (field <= 0 || key >> 3 > int.MaxValue)
        {
            throw Error(start, $"invalid field number {key >> 3}");
        }

        return true;
    }

    public ulong ReadVarint()
    {
        var start = position;
        ulong result = 0;
        var span = buffer.Span;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw Error(start, "truncated varint");
            }

            var b = span[position++];
            if (shift == 63 && b > 1)
            {
                throw Error(start, "varint longer than 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Error(start, "varint longer than 10 bytes");
    }

    public long ReadInt64() => unchecked((long)ReadVarint());

    public int ReadInt32()
    {
        var start = position;
        var value = ReadInt64();
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw Error(start, $"int32 field holds {value}");
        }

        return (int)value;
    }

    public ReadOnlyMemory<byte> ReadBytes()
    {
        var start = position;
        var length = ReadVarint();
        if (length > (ulong)(buffer.Length - position))
        {
            throw Error(start, $"length {length} runs past the end of the data ({buffer.Length - position} bytes left): the file is truncated or not ONNX");
        }

        var slice = buffer.Slice(position, (int)length);
        position += (int)length;
        return slice;
    }

    public string ReadString()
    {
        var start = position;
        var bytes = ReadBytes();
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw Error(start, "string is not valid UTF-8");
        }
    }

    public uint ReadFixed32()
    {
        if (buffer.Length - position < 4)
        {
            throw Error(position, "truncated fixed32");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(buffer.Span.Slice(position, 4));
        position += 4;
        return value;
    }

    public void Skip(WireType wireType)
    {
        var start = position;
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Advance(8, start);
                break;
            case WireType.LengthDelimited:
                ReadBytes();
                break;
            case WireType.Fixed32:
                Advance(4, start);
                break;
            default:
                throw Error(start, $"unsupported wire type {(int)wireType}");
        }
    }

    public readonly InvalidDataException Error(int offset, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Malformed ONNX {context} at byte {offset}: {message}."));

    public readonly void Expect(WireType actual, WireType expected, int field)
    {
        if (actual != expected)
        {
            throw Error(position, $"field {field} has wire type {(int)actual}, expected {(int)expected}");
        }
    }

    private void Advance(int count, int start)
    {
        if (buffer.Length - position < count)
        {
            throw Error(start, $"truncated {count}-byte field");
        }

        position += count;
    }
}
