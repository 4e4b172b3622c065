namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>Deterministic, seeded row permutations and splits that never overlap.</summary>
public static class DataSplits
{
    /// <summary>A permutation of <c>0..count-1</c> that depends only on <paramref name="seed"/>.</summary>
    public static int[] Shuffle(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rows = Enumerable.Range(0, count).ToArray();

        // System.Random with a seed is stable across .NET versions and platforms (its seeded algorithm is frozen).
        new Random(seed).Shuffle(rows);
        return rows;
    }

    /// <summary>
    /// Splits <paramref name="rows"/> into a first part with <paramref name="firstFraction"/> of each class and the rest,
    /// after a seeded shuffle, so both parts keep the class balance.
    /// </summary>
    public static (int[] First, int[] Second) Stratified(IReadOnlyList<int> rows, Func<int, long> labelOf, double firstFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labelOf);
        if (!(firstFraction > 0 && firstFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(firstFraction), firstFraction, "The split fraction must be between 0 and 1.");
        }

        var first = new List<int>();
        var second = new List<int>();
        foreach (var group in rows.GroupBy(labelOf).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            // Not HashCode.Combine: it is randomised per process, and splits must repeat across runs.
            var order = Shuffle(members.Length, unchecked((seed * 397) ^ (int)group.Key));
            var take = (int)Math.Round(members.Length * firstFraction, MidpointRounding.AwayFromZero);
            for (var i = 0; i < members.Length; i++)
            {
                (i < take ? first : second).Add(members[order[i]]);
            }
        }

        first.Sort();
        second.Sort();
        return (first.ToArray(), second.ToArray());
    }
}
