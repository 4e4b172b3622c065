namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using TorchSharp;

/// <summary>The safetensors dtype strings and their TorchSharp element types.</summary>
public static class SafetensorsDTypes
{
    // The reference's Dtype enum order (increasing alignment); its writer lays tensors out in descending order of it.
    private static readonly Dictionary<string, (torch.ScalarType Type, int Size, int Rank)> Supported = new(StringComparer.Ordinal)
    {
        ["BOOL"] = (torch.ScalarType.Bool, 1, 0),
        ["U8"] = (torch.ScalarType.Byte, 1, 1),
        ["I8"] = (torch.ScalarType.Int8, 1, 2),
        ["I16"] = (torch.ScalarType.Int16, 2, 4),
        ["F16"] = (torch.ScalarType.Float16, 2, 6),
        ["BF16"] = (torch.ScalarType.BFloat16, 2, 7),
        ["I32"] = (torch.ScalarType.Int32, 4, 8),
        ["F32"] = (torch.ScalarType.Float32, 4, 10),
        ["F64"] = (torch.ScalarType.Float64, 8, 11),
        ["I64"] = (torch.ScalarType.Int64, 8, 12),
    };

    // Valid in the format (current reference versions) but with no TorchSharp element type.
    private static readonly HashSet<string> KnownUnsupported = new(StringComparer.Ordinal)
    {
        "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64",
    };

    /// <summary>The dtype strings this library reads and writes.</summary>
    public static IReadOnlyCollection<string> Names => Supported.Keys;

    /// <summary>Whether <paramref name="dtype"/> is one of <see cref="Names"/>.</summary>
    /// <param name="dtype">A safetensors dtype string (case-sensitive, as in the format).</param>
    public static bool IsSupported(string dtype) => Supported.ContainsKey(dtype);

    /// <summary>Whether <paramref name="dtype"/> is a valid safetensors dtype that TorchSharp cannot hold.</summary>
    /// <param name="dtype">A safetensors dtype string.</param>
    public static bool IsKnownUnsupported(string dtype) => KnownUnsupported.Contains(dtype);

    /// <summary>The size in bytes of one element of <paramref name="dtype"/>.</summary>
    /// <param name="dtype">A supported safetensors dtype string.</param>
    /// <exception cref="ArgumentException">The dtype is not supported.</exception>
    public static int ElementSize(string dtype) => Lookup(dtype).Size;

    /// <summary>The TorchSharp element type of <paramref name="dtype"/>.</summary>
    /// <param name="dtype">A supported safetensors dtype string.</param>
    /// <exception cref="ArgumentException">The dtype is not supported.</exception>
    public static torch.ScalarType ToScalarType(string dtype) => Lookup(dtype).Type;

    /// <summary>The safetensors dtype string of <paramref name="type"/>.</summary>
    /// <param name="type">A TorchSharp element type.</param>
    /// <exception cref="NotSupportedException">safetensors (as supported here) has no such dtype, for example complex types.</exception>
    public static string FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Bool => "BOOL",
        torch.ScalarType.Byte => "U8",
        torch.ScalarType.Int8 => "I8",
        torch.ScalarType.Int16 => "I16",
        torch.ScalarType.Float16 => "F16",
        torch.ScalarType.BFloat16 => "BF16",
        torch.ScalarType.Int32 => "I32",
        torch.ScalarType.Float32 => "F32",
        torch.ScalarType.Float64 => "F64",
        torch.ScalarType.Int64 => "I64",
        _ => throw new NotSupportedException(
            $"Tensors of type {type} cannot be saved as safetensors; supported: {string.Join(", ", Supported.Keys)}."),
    };

    /// <summary>The reference writer's layout rank: tensors with a higher rank come first in the data section.</summary>
    internal static int LayoutRank(string dtype) => Lookup(dtype).Rank;

    private static (torch.ScalarType Type, int Size, int Rank) Lookup(string dtype)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        return Supported.TryGetValue(dtype, out var entry)
            ? entry
            : throw new ArgumentException(
                $"'{dtype}' is not a supported safetensors dtype; supported: {string.Join(", ", Supported.Keys)}.", nameof(dtype));
    }
}
