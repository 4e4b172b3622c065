namespace PeftSharp.Tests.Serialization;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Deterministic tensors of each safetensors dtype that exercise sign bits, extremes and odd shapes.</summary>
internal static class SampleTensors
{
    public static readonly string[] DTypes = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"];

    public static Tensor Of(string dtype)
    {
        using var generator = new TorchSharp.torch.Generator(1234);
        using var spread = 1000.ToScalar();
        using var normal = randn([3, 5, 2], generator: generator).mul_(spread);
        return dtype switch
        {
            "F64" => normal.to(ScalarType.Float64),
            "F32" => normal.clone(),
            "F16" => normal.to(ScalarType.Float16),
            "BF16" => normal.to(ScalarType.BFloat16),
            "I64" => tensor(new[] { long.MinValue, -1, 0, 1, long.MaxValue, 123_456_789_012 }).reshape(2, 3),
            "I32" => tensor(new[] { int.MinValue, -1, 0, 1, int.MaxValue, 70_000 }).reshape(3, 2),
            "I16" => tensor(new short[] { short.MinValue, -1, 0, 1, short.MaxValue }),
            "I8" => tensor(new sbyte[] { sbyte.MinValue, -1, 0, 1, sbyte.MaxValue }),
            "U8" => tensor(new byte[] { 0, 1, 127, 128, 255 }),
            "BOOL" => tensor(new[] { true, false, false, true, true, false, true }),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
        };
    }
}
