namespace PeftSharp.Models.Onnx;

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

/// <summary>An ONNX initializer (a constant tensor). Only float32 contents are decoded.</summary>
public sealed class OnnxTensor
{
    /// <summary>ONNX <c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int FloatDataType = 1;

    private readonly ReadOnlyMemory<byte> rawData;
    private readonly float[]? floatData;

    internal OnnxTensor(string name, int dataType, long[] dims, ReadOnlyMemory<byte> rawData, float[]? floatData)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        this.rawData = rawData;
        this.floatData = floatData;
    }

    /// <summary>The initializer's name (MatMul weights of some exports have opaque numeric names).</summary>
    public string Name { get; }

    /// <summary>ONNX element type code (1 = float32, 7 = int64, ...).</summary>
    public int DataType { get; }

    /// <summary>The shape.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>Number of elements (product of <see cref="Dims"/>; 1 for a scalar).</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The values as float32, from <c>raw_data</c> (little-endian) or <c>float_data</c>.</summary>
    /// <exception cref="InvalidDataException">Not float32, or the stored data does not hold exactly the shape's element count.</exception>
    public float[] ToFloatArray()
    {
        if (DataType != FloatDataType)
        {
            throw new InvalidDataException($"ONNX initializer '{Name}' has data type {DataType.ToString(CultureInfo.InvariantCulture)}, not float32 (1).");
        }

        var count = ElementCount;
        if (floatData is not null)
        {
            Check(floatData.LongLength, count);
            return floatData;
        }

        Check(rawData.Length / 4L, count);
        if (rawData.Length % 4 != 0)
        {
            throw new InvalidDataException($"ONNX initializer '{Name}' has {rawData.Length} raw bytes, not a multiple of 4.");
        }

        var values = new float[count];
        var span = rawData.Span;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4, 4));
        }

        return values;
    }

    private void Check(long stored, long expected)
    {
        if (stored != expected)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"ONNX initializer '{Name}' holds {stored} values but its shape [{string.Join(", ", Dims)}] needs {expected}."));
        }
    }
}
