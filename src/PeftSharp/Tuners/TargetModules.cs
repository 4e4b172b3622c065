namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

/// <summary>
/// Which modules get an adapter (the reference's <c>target_modules</c>): a list of names, each matching a module whose
/// dotted path equals it or ends with "." + it; a regular expression that must match the whole dotted path; or
/// <c>all-linear</c>, every Linear except the output head.
/// </summary>
public sealed class TargetModules
{
    private readonly Regex? regex;

    private TargetModules(IReadOnlyList<string>? names, string? pattern, bool allLinear)
    {
        Names = names;
        Pattern = pattern;
        IsAllLinear = allLinear;
        if (pattern is not null)
        {
            try
            {
                regex = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"target_modules regex '{pattern}' is not a valid regular expression: {e.Message}", nameof(pattern), e);
            }
        }
    }

    /// <summary>The names to match, or null for a regex or all-linear.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>The regular expression (full match), or null.</summary>
    public string? Pattern { get; }

    /// <summary>Whether this means every Linear except the output head.</summary>
    public bool IsAllLinear { get; }

    /// <summary>Every Linear layer except the output head (and except modules kept trainable whole).</summary>
    public static TargetModules AllLinear { get; } = new(null, null, allLinear: true);

    /// <summary>Modules whose dotted path equals a name or ends with "." + a name.</summary>
    /// <exception cref="ArgumentException">No name, or an empty name.</exception>
    public static TargetModules Of(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0 || names.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("target_modules needs at least one non-empty module name.", nameof(names));
        }

        return new TargetModules(names.Distinct(StringComparer.Ordinal).ToList(), null, allLinear: false);
    }

    /// <summary>Modules whose whole dotted path matches <paramref name="pattern"/>; <c>all-linear</c> means <see cref="AllLinear"/>.</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public static TargetModules Regex(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return pattern == "all-linear" ? AllLinear : new TargetModules(null, pattern, allLinear: false);
    }

    /// <summary>Whether the module at <paramref name="path"/> matches (for all-linear: always; the type is checked elsewhere).</summary>
    public bool Matches(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsAllLinear)
        {
            return true;
        }

        return regex is not null ? regex.IsMatch(path) : Names!.Any(name => MatchesName(path, name));
    }

    /// <summary>Whether <paramref name="path"/> equals <paramref name="name"/> or ends with "." + <paramref name="name"/>.</summary>
    public static bool MatchesName(string path, string name)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        return path == name || path.EndsWith("." + name, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override string ToString() => IsAllLinear ? "all-linear" : Pattern ?? string.Join(", ", Names!);
}
