namespace PeftSharp.Benchmarks;

using System;
using System.Collections.Generic;
using System.Globalization;

/// <summary>Options of the form <c>--name value</c> (and <c>--help</c>); every option must be read, so typos fail.</summary>
internal sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> values;
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private BenchmarkArguments(Dictionary<string, string> values, bool help)
    {
        this.values = values;
        Help = help;
    }

    public bool Help { get; }

    public static BenchmarkArguments Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = false;
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (name is "-h" or "--help")
            {
                help = true;
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
            {
                throw new ArgumentException($"Expected an option like --steps 5, got '{name}'.");
            }

            if (!e.MoveNext())
            {
                throw new ArgumentException($"Option {name} needs a value.");
            }

            if (!values.TryAdd(name[2..], e.Current))
            {
                throw new ArgumentException($"Option {name} is given twice.");
            }
        }

        return new BenchmarkArguments(values, help);
    }

    /// <summary>The integer option <paramref name="name"/>, or <paramref name="fallback"/>; at least <paramref name="minimum"/>.</summary>
    public int Int(string name, int fallback, int minimum = 1)
    {
        read.Add(name);
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
        {
            throw new ArgumentException($"--{name} must be an integer >= {minimum}, got '{text}'.");
        }

        return value;
    }

    /// <summary>The text option <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public string String(string name, string fallback)
    {
        read.Add(name);
        return values.TryGetValue(name, out var text) ? text : fallback;
    }

    /// <summary>Throws when an option was given that the benchmark never asked for.</summary>
    public void EnsureAllRead()
    {
        foreach (var name in values.Keys)
        {
            if (!read.Contains(name))
            {
                throw new ArgumentException($"Unknown option --{name}.");
            }
        }
    }
}
