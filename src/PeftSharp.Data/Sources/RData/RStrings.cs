namespace PeftSharp.Data.Sources.RData;

using System.Collections.Generic;

/// <summary>A character vector; <c>NA</c> is null.</summary>
public sealed class RStrings(string?[] values) : RObject
{
    /// <summary>The strings.</summary>
    public IReadOnlyList<string?> Values { get; } = values;

    /// <inheritdoc />
    public override string Describe() => $"character vector of {Values.Count}";
}
