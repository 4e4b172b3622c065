namespace PeftSharp.Data.Sources.RData;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>A value read from R's serialization format, with its attributes (names, class, levels, row.names, ...).</summary>
public abstract class RObject
{
    /// <summary>Attributes in stored order (tag to value).</summary>
    public IReadOnlyList<KeyValuePair<string, RObject>> Attributes { get; internal set; } = [];

    /// <summary>The attribute <paramref name="name"/>, or null.</summary>
    public RObject? Attribute(string name) =>
        Attributes.FirstOrDefault(a => string.Equals(a.Key, name, StringComparison.Ordinal)).Value;

    /// <summary>The <c>class</c> attribute's strings (empty when absent).</summary>
    public IReadOnlyList<string?> Classes => (Attribute("class") as RStrings)?.Values ?? [];

    /// <summary>A short description for error messages.</summary>
    public abstract string Describe();
}
