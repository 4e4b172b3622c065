namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>
/// A small seeded generator (SplitMix64) whose sequence is fixed by this code alone, not by a runtime's
/// <see cref="Random"/> implementation, so shuffles and augmentations repeat on every machine.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong state;

    /// <summary>Starts the sequence for <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed)
    {
        state = seed;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);

        // Multiply-high maps 32 random bits onto the range; the bias (< 2^-32 * range) is negligible here.
        return (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => StableHash.ToUnit(NextUInt64());

    /// <summary>Fisher-Yates shuffle of <paramref name="items"/> in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
