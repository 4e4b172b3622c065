namespace PeftSharp.Data.Sources.RData;

using System.Collections.Generic;

/// <summary>A double vector (complex vectors are stored as interleaved real and imaginary parts).</summary>
public sealed class RDoubles(double[] values, bool complex) : RObject
{
    /// <summary>The values.</summary>
    public IReadOnlyList<double> Values { get; } = values;

    /// <summary>True for a complex vector.</summary>
    public bool IsComplex { get; } = complex;

    /// <inheritdoc />
    public override string Describe() => $"{(IsComplex ? "complex" : "double")} vector of {Values.Count}";
}
