namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>Which Parquet columns feed a tabular classifier: numeric features and an integer class label.</summary>
/// <param name="Features">Feature column names, in the order of the model's input vector.</param>
/// <param name="Label">The class-label column (integer values 0..classes-1).</param>
public sealed record TabularColumns(IReadOnlyList<string> Features, string Label)
{
    /// <summary>All column names: features, then the label.</summary>
    public IEnumerable<string> All
    {
        get
        {
            foreach (var feature in Features)
            {
                yield return feature;
            }

            yield return Label;
        }
    }

    /// <summary>Throws when the mapping is empty or names a column twice.</summary>
    public TabularColumns Validate()
    {
        if (Features.Count == 0)
        {
            throw new ArgumentException("A tabular dataset needs at least one feature column.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in All)
        {
            if (!seen.Add(name))
            {
                throw new ArgumentException($"Column '{name}' is mapped twice; each column may be used once.");
            }
        }

        return this;
    }
}
