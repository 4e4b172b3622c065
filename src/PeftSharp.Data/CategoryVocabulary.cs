namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>
/// Maps category strings to indices. Index 0 is the unknown bucket (unseen values and nulls); known values get
/// 1..N ordered by descending training frequency, ties by ordinal string order, so fitting is deterministic.
/// </summary>
public sealed class CategoryVocabulary
{
    private readonly Dictionary<string, long> indices;

    /// <summary>Creates a vocabulary from its known values, in index order (the first gets index 1).</summary>
    public CategoryVocabulary(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        indices = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (!indices.TryAdd(value, indices.Count + 1))
            {
                throw new ArgumentException($"Category '{value}' appears twice in the vocabulary.", nameof(values));
            }
        }

        Values = values.ToArray();
    }

    /// <summary>The index of values not in the vocabulary (and of nulls).</summary>
    public const long UnknownIndex = 0;

    /// <summary>The known values; value <c>Values[i]</c> has index <c>i + 1</c>.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The number of indices, the unknown bucket included (the size of an embedding table).</summary>
    public int Size => Values.Count + 1;

    /// <summary>The index of <paramref name="value"/>, or <see cref="UnknownIndex"/>.</summary>
    public long IndexOf(string? value) => value is not null && indices.TryGetValue(value, out var index) ? index : UnknownIndex;

    /// <summary>Builds a vocabulary from counted values, keeping those seen at least <paramref name="minCount"/> times.</summary>
    public static CategoryVocabulary FromCounts(IReadOnlyDictionary<string, long> counts, long minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var kept = counts.Where(p => p.Value >= minCount)
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key)
            .ToArray();
        return new CategoryVocabulary(kept);
    }
}
