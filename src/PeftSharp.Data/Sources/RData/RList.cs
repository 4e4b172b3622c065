namespace PeftSharp.Data.Sources.RData;

using System.Collections.Generic;

/// <summary>A generic vector (<c>list</c>, <c>data.frame</c>) or a pairlist; pairlist tags become <see cref="Tags"/>.</summary>
public sealed class RList(RObject[] items, string?[]? tags = null) : RObject
{
    /// <summary>The elements.</summary>
    public IReadOnlyList<RObject> Items { get; } = items;

    /// <summary>Element names: pairlist tags, else the <c>names</c> attribute; null entries where unnamed.</summary>
    public IReadOnlyList<string?> Tags => tags ?? (Attribute("names") as RStrings)?.Values ?? new string?[Items.Count];

    /// <inheritdoc />
    public override string Describe() => $"list of {Items.Count}";
}
