namespace PeftSharp.Data.Sources.RData;

using System.Collections.Generic;

/// <summary>An integer or logical vector (factors are integer vectors with <c>levels</c>); <c>NA</c> is <see cref="NA"/>.</summary>
public sealed class RIntegers(int[] values, bool logical) : RObject
{
    /// <summary>R's integer NA.</summary>
    public const int NA = int.MinValue;

    /// <summary>The values.</summary>
    public IReadOnlyList<int> Values { get; } = values;

    /// <summary>True for a logical vector.</summary>
    public bool IsLogical { get; } = logical;

    /// <inheritdoc />
    public override string Describe() => $"{(IsLogical ? "logical" : "integer")} vector of {Values.Count}";
}
