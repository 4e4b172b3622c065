namespace PeftSharp.Data;

using System;
using System.Text;

/// <summary>
/// Hashes that are identical in every process, on every platform and .NET version (unlike <see cref="HashCode"/>,
/// which is randomised per process), so splits and shuffles repeat across runs.
/// </summary>
public static class StableHash
{
    /// <summary>SplitMix64's finaliser: a bijective mix of 64 bits.</summary>
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>Combines a seed and a value into a well-mixed 64-bit hash.</summary>
    public static ulong Combine(long seed, long value) => Mix(Mix(unchecked((ulong)seed)) ^ unchecked((ulong)value));

    /// <summary>Combines a seed and two values into a well-mixed 64-bit hash.</summary>
    public static ulong Combine(long seed, long first, long second) => Mix(Combine(seed, first) ^ unchecked((ulong)second));

    /// <summary>64-bit FNV-1a of the UTF-8 bytes of <paramref name="text"/>, mixed.</summary>
    public static ulong OfString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return Mix(hash);
    }

    /// <summary>Maps a hash to a double uniformly distributed in [0, 1) (53 bits).</summary>
    public static double ToUnit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));
}
