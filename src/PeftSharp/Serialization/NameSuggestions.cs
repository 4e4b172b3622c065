namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>Finds the closest names to a missing one, for error messages ("did you mean ...").</summary>
internal static class NameSuggestions
{
    /// <summary>Up to <paramref name="count"/> candidates closest to <paramref name="name"/> by edit distance, best first.</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int count)
    {
        // A shared dotted suffix ("layer.0.attention.query.weight" vs "bert.layer.0...") is the usual near miss; edit
        // distance on the whole name ranks it well as long as prefixes differ by a few characters.
        return candidates
            .Select(c => (Name: c, Distance: Distance(name, c)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>Levenshtein distance, capped in length so hostile names cannot make it quadratic in megabytes.</summary>
    internal static int Distance(string a, string b)
    {
        const int MaxLength = 256;
        a = a.Length > MaxLength ? a[..MaxLength] : a;
        b = b.Length > MaxLength ? b[..MaxLength] : b;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
