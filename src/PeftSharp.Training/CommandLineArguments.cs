namespace PeftSharp.Training;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

/// <summary>
/// A small <c>[command] --name value --flag</c> parser for experiment entry points. Every option read is recorded,
/// so <see cref="ThrowOnUnknown"/> can name a misspelt option and list the valid ones.
/// </summary>
public sealed class CommandLineArguments
{
    private readonly Dictionary<string, string?> options;
    private readonly HashSet<string> known = new(StringComparer.Ordinal);

    private CommandLineArguments(string? command, Dictionary<string, string?> options)
    {
        Command = command;
        this.options = options;
    }

    /// <summary>The leading word that is not an option, if any (for example <c>prepare-data</c>).</summary>
    public string? Command { get; }

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">An option is given twice or a value has no option name.</exception>
    public static CommandLineArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? command = null;
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i == 0)
                {
                    command = arg;
                    continue;
                }

                throw new ArgumentException($"Unexpected argument '{arg}': options are written --name value.");
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (!options.TryAdd(name, value))
            {
                throw new ArgumentException($"--{name} is given twice.");
            }
        }

        return new CommandLineArguments(command, options);
    }

    /// <summary>True when <c>--name</c> is present (with or without a value).</summary>
    public bool HasFlag(string name)
    {
        known.Add(name);
        return options.ContainsKey(name);
    }

    /// <summary>The value of <c>--name</c>, or <paramref name="defaultValue"/> when absent.</summary>
    public string? GetString(string name, string? defaultValue = null)
    {
        known.Add(name);
        if (!options.TryGetValue(name, out var value))
        {
            return defaultValue;
        }

        return value ?? throw new ArgumentException($"--{name} needs a value.");
    }

    /// <summary>The integer value of <c>--name</c> within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int GetInt(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = GetString(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be an integer from {min} to {max}, got '{text}'."));
        }

        return value;
    }

    /// <summary>The number value of <c>--name</c> within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double GetDouble(string name, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = GetString(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be a number from {min} to {max}, got '{text}'."));
        }

        return value;
    }

    /// <summary>Throws when an option was given that nothing read, listing the options that exist.</summary>
    public void ThrowOnUnknown()
    {
        var unknown = options.Keys.Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Unknown option{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(u => "--" + u))}. Valid options: {string.Join(", ", known.Order(StringComparer.Ordinal).Select(k => "--" + k))}.");
        }
    }
}
