namespace PeftSharp.Serialization;

using System;
using System.Globalization;
using System.Linq;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="Name">The tensor's name (its key in the header).</param>
/// <param name="DType">The safetensors dtype string, for example <c>F32</c> or <c>BF16</c>.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
/// <param name="Begin">Start of the tensor's bytes, relative to the start of the data section.</param>
/// <param name="End">End (exclusive) of the tensor's bytes, relative to the start of the data section.</param>
#pragma warning disable CA1819 // The record mirrors the header entry; Shape is an array like TorchSharp's own shapes.
public sealed record SafetensorsTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
#pragma warning restore CA1819
{
    /// <summary>The number of bytes, <c>End - Begin</c>.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dim) => product * dim);

    /// <summary>The TorchSharp element type of <see cref="DType"/>.</summary>
    public TorchSharp.torch.ScalarType ScalarType => SafetensorsDTypes.ToScalarType(DType);

    /// <summary>The shape written like the reference, for example <c>[768, 3072]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats <paramref name="shape"/> as <c>[d0, d1, ...]</c>.</summary>
    /// <param name="shape">The dimensions.</param>
    public static string FormatShape(ReadOnlySpan<long> shape)
    {
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
