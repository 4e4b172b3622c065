namespace PeftSharp.Tests.Models;

using System;
using System.Collections.Generic;
using System.Text;

/// <summary>Writes protocol buffers by hand, to build ONNX test files independently of the reader under test.</summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> stream = [];

    public byte[] ToArray() => [.. stream];

    public ProtoWriter Varint(int field, long value)
    {
        Key(field, 0);
        Raw((ulong)value);
        return this;
    }

    public ProtoWriter Bytes(int field, byte[] value)
    {
        Key(field, 2);
        Raw((ulong)value.Length);
        stream.AddRange(value);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>An ONNX TensorProto of float32 stored as raw_data.</summary>
    public static ProtoWriter FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new ProtoWriter();
        foreach (var d in dims)
        {
            tensor.Varint(1, d);
        }

        tensor.Varint(2, 1);
        tensor.String(8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        tensor.Bytes(9, raw);
        return tensor;
    }

    /// <summary>An ONNX NodeProto.</summary>
    public static ProtoWriter Node(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var node = new ProtoWriter();
        foreach (var i in inputs)
        {
            node.String(1, i);
        }

        foreach (var o in outputs)
        {
            node.String(2, o);
        }

        return node.String(4, opType);
    }

    private void Key(int field, int wire) => Raw((ulong)((field << 3) | wire));

    private void Raw(ulong value)
    {
        while (value >= 0x80)
        {
            stream.Add((byte)(value | 0x80));
            value >>= 7;
        }

        stream.Add((byte)value);
    }
}
