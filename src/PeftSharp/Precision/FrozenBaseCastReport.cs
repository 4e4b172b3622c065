namespace PeftSharp.Precision;

using System.Globalization;
using static TorchSharp.torch;

/// <summary>What <see cref="FrozenBaseCast.Apply"/> cast.</summary>
/// <param name="Dtype">The frozen base's new dtype.</param>
/// <param name="Parameters">Elements of the frozen parameters that were cast.</param>
/// <param name="BytesBefore">Their size before, in bytes.</param>
/// <param name="BytesAfter">Their size after, in bytes.</param>
public sealed record FrozenBaseCastReport(ScalarType Dtype, long Parameters, long BytesBefore, long BytesAfter)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"frozen base in {Dtype.ToString().ToLowerInvariant()}: {Parameters:N0} parameters, {BytesBefore / 1048576.0:F1} MiB -> {BytesAfter / 1048576.0:F1} MiB");
}
