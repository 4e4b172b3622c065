namespace PeftSharp.Training.Experiments;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

/// <summary>
/// The raw hyperparameter values of one experiment run, resolved with the precedence sweep assignment &gt; command line
/// &gt; environment variable &gt; JSON config file &gt; the property's default, and the typed readers the generated
/// <c>Bind</c> calls. Every error names the parameter, where the value came from and what is valid.
/// </summary>
public sealed class ExperimentValues
{
    /// <summary>The environment variable that names a JSON config file when <c>--config</c> is absent.</summary>
    public const string ConfigEnvironmentVariable = "PEFTSHARP_CONFIG";

    // JSON configs are small; a bigger file is a mistake (wrong path), not a config.
    private const long MaxConfigBytes = 1 << 20;

    private static readonly string[] ReservedOptions = ["help", "config", "sweep", "trials", "sweep-seed"];

    private readonly Dictionary<string, (string? Value, string Source)> values;

    private ExperimentValues(ExperimentInfo info, Dictionary<string, (string? Value, string Source)> values)
    {
        Info = info;
        this.values = values;
    }

    /// <summary>The experiment these values are for.</summary>
    public ExperimentInfo Info { get; }

    /// <summary>Whether <c>--help</c> (or <c>-h</c>) was given.</summary>
    public bool HelpRequested { get; private init; }

    /// <summary>The JSON config file that was read, if any.</summary>
    public string? ConfigPath { get; private init; }

    /// <summary><c>--sweep grid</c> or <c>--sweep random</c>, or null for a single run.</summary>
    public string? SweepMode { get; private init; }

    /// <summary><c>--trials N</c>: the number of random-sweep trials (default 10).</summary>
    public int Trials { get; private init; } = 10;

    /// <summary><c>--sweep-seed N</c>: the seed of the random sweep (default 0).</summary>
    public int SweepSeed { get; private init; }

    /// <summary>No values at all: binding gives the defaults.</summary>
    public static ExperimentValues Empty(ExperimentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ExperimentValues(info, new Dictionary<string, (string?, string)>(StringComparer.Ordinal));
    }

    /// <summary>
    /// Resolves every parameter's raw value from <paramref name="args"/> (<c>--name value</c>, <c>--name=value</c>,
    /// a bare <c>--flag</c> for booleans), <paramref name="environment"/> (null: the process environment) and the JSON
    /// file named by <c>--config</c> or <see cref="ConfigEnvironmentVariable"/>. <paramref name="assignment"/> (a sweep
    /// point, keyed by command-line name) wins over all of them.
    /// </summary>
    /// <exception cref="ExperimentBindingException">An option is unknown, repeated or lacks its value, or the config file is invalid.</exception>
    public static ExperimentValues Resolve(
        ExperimentInfo info,
        IReadOnlyList<string> args,
        Func<string, string?>? environment = null,
        IReadOnlyDictionary<string, string>? assignment = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(args);
        environment ??= Environment.GetEnvironmentVariable;
        var byName = info.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var command = ParseCommandLine(info, args, byName);

        var resolved = new Dictionary<string, (string? Value, string Source)>(StringComparer.Ordinal);
        command.Options.TryGetValue("config", out var configPath);
        configPath ??= NullIfEmpty(environment(ConfigEnvironmentVariable));
        if (configPath is not null)
        {
            foreach (var (name, value) in ReadConfig(info, configPath))
            {
                resolved[name] = (value, $"config file '{configPath}'");
            }
        }

        foreach (var parameter in info.Parameters)
        {
            if (NullIfEmpty(environment(parameter.EnvironmentVariable)) is { } value)
            {
                resolved[parameter.Name] = (value, $"environment variable {parameter.EnvironmentVariable}");
            }

            if (command.Options.TryGetValue(parameter.Name, out var cli))
            {
                resolved[parameter.Name] = (cli, $"--{parameter.Name}");
            }
        }

        foreach (var (name, value) in assignment ?? new Dictionary<string, string>())
        {
            if (!byName.ContainsKey(name))
            {
                throw new ExperimentBindingException($"Sweep assignment names '{name}', which is not a parameter of {info.Name}.");
            }

            resolved[name] = (value, "the sweep");
        }

        return new ExperimentValues(info, resolved)
        {
            HelpRequested = command.Options.ContainsKey("help"),
            ConfigPath = configPath,
            SweepMode = command.Options.TryGetValue("sweep", out var sweep) ? CheckSweepMode(sweep) : null,
            Trials = command.Options.TryGetValue("trials", out var trials) ? ParseCount("trials", trials, 1) : 10,
            SweepSeed = command.Options.TryGetValue("sweep-seed", out var seed) ? ParseCount("sweep-seed", seed, 0) : 0,
        };
    }

    /// <summary>Whether the parameter was set on the command line (a sweep leaves such parameters fixed).</summary>
    public bool IsFromCommandLine(ExperimentParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return values.TryGetValue(parameter.Name, out var entry) && entry.Source.StartsWith("--", StringComparison.Ordinal);
    }

    /// <summary>The <see cref="int"/> value, or <paramref name="fallback"/> when nothing sets it.</summary>
    public int ReadInt32(ExperimentParameter parameter, int fallback) =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? ParseInt32(parameter, raw, source) : fallback;

    /// <summary>The <see cref="int"/>? value (<c>null</c> or an empty value unsets it).</summary>
    public int? ReadNullableInt32(ExperimentParameter parameter, int? fallback) =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : ParseInt32(parameter, raw, source)) : fallback;

    /// <summary>The <see cref="long"/> value.</summary>
    public long ReadInt64(ExperimentParameter parameter, long fallback) =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? ParseInt64(parameter, raw, source) : fallback;

    /// <summary>The <see cref="long"/>? value.</summary>
    public long? ReadNullableInt64(ExperimentParameter parameter, long? fallback) =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : ParseInt64(parameter, raw, source)) : fallback;

    /// <summary>The <see cref="double"/> value.</summary>
    public double ReadDouble(ExperimentParameter parameter, double fallback) =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? ParseDouble(parameter, raw, source) : fallback;

    /// <summary>The <see cref="double"/>? value.</summary>
    public double? ReadNullableDouble(ExperimentParameter parameter, double? fallback) =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : ParseDouble(parameter, raw, source)) : fallback;

    /// <summary>The <see cref="float"/> value.</summary>
    public float ReadSingle(ExperimentParameter parameter, float fallback) =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? (float)ParseDouble(parameter, raw, source) : fallback;

    /// <summary>The <see cref="float"/>? value.</summary>
    public float? ReadNullableSingle(ExperimentParameter parameter, float? fallback) =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : (float)ParseDouble(parameter, raw, source)) : fallback;

    /// <summary>The <see cref="bool"/> value (<c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, <c>yes</c>/<c>no</c>).</summary>
    public bool ReadBoolean(ExperimentParameter parameter, bool fallback) =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? ParseBoolean(parameter, raw, source) : fallback;

    /// <summary>The <see cref="bool"/>? value.</summary>
    public bool? ReadNullableBoolean(ExperimentParameter parameter, bool? fallback) =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : ParseBoolean(parameter, raw, source)) : fallback;

    /// <summary>The <see cref="string"/> value.</summary>
    public string ReadString(ExperimentParameter parameter, string fallback) =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? CheckAllowed(parameter, raw, source) : fallback;

    /// <summary>The <see cref="string"/>? value.</summary>
    public string? ReadNullableString(ExperimentParameter parameter, string? fallback) =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : CheckAllowed(parameter, raw, source)) : fallback;

    /// <summary>The enum value, by member name (case-insensitive; numbers are rejected).</summary>
    public TEnum ReadEnum<TEnum>(ExperimentParameter parameter, TEnum fallback)
        where TEnum : struct, Enum =>
        Raw(parameter, nullable: false) is var (raw, source) && raw is not null && source is not null ? ParseEnum<TEnum>(parameter, raw, source) : fallback;

    /// <summary>The nullable enum value.</summary>
    public TEnum? ReadNullableEnum<TEnum>(ExperimentParameter parameter, TEnum? fallback)
        where TEnum : struct, Enum =>
        Raw(parameter, nullable: true) is var (raw, source) && source is not null ? (raw is null ? null : ParseEnum<TEnum>(parameter, raw, source)) : fallback;

    /// <summary>Formats a value the way the command line reads it back, independent of the culture.</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private (string? Raw, string? Source) Raw(ExperimentParameter parameter, bool nullable)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!values.TryGetValue(parameter.Name, out var entry))
        {
            return (null, null);
        }

        var isNull = entry.Value is null || (nullable && (entry.Value.Length == 0 || entry.Value == "null"));
        if (isNull && !nullable)
        {
            throw Error(parameter, entry.Source, entry.Value, "it needs a value");
        }

        return (isNull ? null : entry.Value, entry.Source);
    }

    private static int ParseInt32(ExperimentParameter p, string raw, string source)
    {
        var value = ParseInt64(p, raw, source);
        return value is < int.MinValue or > int.MaxValue
            ? throw Error(p, source, raw, "it must be a 32-bit integer")
            : (int)value;
    }

    private static long ParseInt64(ExperimentParameter p, string raw, string source)
    {
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(p, source, raw, $"it must be an integer{Range(p)}");
        }

        CheckNumber(p, value, raw, source);
        return value;
    }

    private static double ParseDouble(ExperimentParameter p, string raw, string source)
    {
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error(p, source, raw, $"it must be a finite number such as 3e-4{Range(p)}");
        }

        CheckNumber(p, value, raw, source);
        return value;
    }

    private static bool ParseBoolean(ExperimentParameter p, string raw, string source) => raw.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" => true,
        "FALSE" or "0" or "NO" => false,
        _ => throw Error(p, source, raw, "it must be true or false"),
    };

    private static TEnum ParseEnum<TEnum>(ExperimentParameter p, string raw, string source)
        where TEnum : struct, Enum
    {
        // Enum.TryParse also accepts numbers and undefined values; only member names are meaningful on a command line.
        var member = System.Enum.GetNames<TEnum>().FirstOrDefault(n => string.Equals(n, raw, StringComparison.OrdinalIgnoreCase));
        if (member is null)
        {
            throw Error(p, source, raw, $"valid values are {string.Join(", ", System.Enum.GetNames<TEnum>())}");
        }

        CheckAllowed(p, member, source);
        return System.Enum.Parse<TEnum>(member);
    }

    private static void CheckNumber(ExperimentParameter p, double value, string raw, string source)
    {
        if ((p.Min is { } min && value < min) || (p.Max is { } max && value > max))
        {
            throw Error(p, source, raw, $"it must be{Range(p)}");
        }

        if (p.Allowed.Count > 0
            && !p.Allowed.Any(a => double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var allowed) && allowed == value))
        {
            throw Error(p, source, raw, $"valid values are {string.Join(", ", p.Allowed)}");
        }
    }

    private static string CheckAllowed(ExperimentParameter p, string value, string source)
    {
        if (p.Allowed.Count > 0 && !p.Allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            throw Error(p, source, value, $"valid values are {string.Join(", ", p.Allowed)}");
        }

        return p.Kind == ParameterKind.Text && p.Allowed.Count > 0
            ? p.Allowed.First(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            : value;
    }

    /// <summary>" from 1 to 10", " of at least 1" or empty, for messages and help.</summary>
    internal static string Range(ExperimentParameter p) => (p.Min, p.Max) switch
    {
        ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $" from {min} to {max}"),
        ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $" of at least {min}"),
        (null, { } max) => string.Create(CultureInfo.InvariantCulture, $" of at most {max}"),
        _ => string.Empty,
    };

    private static ExperimentBindingException Error(ExperimentParameter p, string source, string? raw, string rule) =>
        new($"Hyperparameter --{p.Name} ({p.TypeName}) got '{raw}' from {source}, but {rule}.");

    private static string CheckSweepMode(string? mode) => mode switch
    {
        "grid" or "random" => mode,
        _ => throw new ExperimentBindingException($"--sweep must be 'grid' or 'random', got '{mode}'."),
    };

    private static int ParseCount(string name, string? raw, int min) =>
        int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new ExperimentBindingException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be an integer of at least {min}, got '{raw}'."));

    private static (Dictionary<string, string?> Options, int Unused) ParseCommandLine(
        ExperimentInfo info, IReadOnlyList<string> args, Dictionary<string, ExperimentParameter> byName)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "-?")
            {
                arg = "--help";
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ExperimentBindingException($"Unexpected argument '{arg}': options are written --name value (see --help).");
            }

            var name = arg[2..];
            string? value = null;
            var hasValue = false;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
                hasValue = true;
            }

            byName.TryGetValue(name, out var parameter);
            if (parameter is null && !ReservedOptions.Contains(name))
            {
                throw new ExperimentBindingException(
                    $"Unknown option --{name} for {info.Name}. Valid options: {string.Join(", ", info.Parameters.Select(p => "--" + p.Name).Concat(ReservedOptions.Select(r => "--" + r)))}.");
            }

            var isFlag = name == "help" || parameter is { Kind: ParameterKind.Flag };
            if (!hasValue && i + 1 < args.Count)
            {
                var next = args[i + 1];
                var takesNext = isFlag
                    ? next.ToUpperInvariant() is "TRUE" or "FALSE" or "1" or "0" or "YES" or "NO"
                    : !next.StartsWith("--", StringComparison.Ordinal);
                if (takesNext)
                {
                    value = next;
                    hasValue = true;
                    i++;
                }
            }

            if (!hasValue && isFlag)
            {
                value = "true";
            }

            if (!options.TryAdd(name, value))
            {
                throw new ExperimentBindingException($"--{name} is given twice.");
            }

            if (value is null && name != "help")
            {
                throw new ExperimentBindingException(parameter is null
                    ? $"--{name} needs a value."
                    : $"--{name} needs a value ({parameter.TypeName}{Range(parameter)}).");
            }
        }

        return (options, 0);
    }

    private static List<(string Name, string? Value)> ReadConfig(ExperimentInfo info, string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ExperimentBindingException($"Config file '{path}' does not exist; pass an existing JSON file with --config.");
        }

        if (file.Length > MaxConfigBytes)
        {
            throw new ExperimentBindingException($"Config file '{path}' is {file.Length} bytes; a config is a small JSON object (at most 1 MiB).");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ExperimentBindingException($"Config file '{path}' is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ExperimentBindingException($"Config file '{path}' must hold a JSON object such as {{\"learning-rate\": 3e-4}}.");
            }

            var result = new List<(string, string?)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // The command-line name, the MLflow name or the property name: a config saved from any of them reads back.
                var parameter = info.Parameters.FirstOrDefault(p =>
                    p.Name == property.Name || p.LogName == property.Name || p.PropertyName == property.Name);
                if (parameter is null)
                {
                    throw new ExperimentBindingException(
                        $"Config file '{path}' sets '{property.Name}', which is not a parameter of {info.Name}. Valid keys: {string.Join(", ", info.Parameters.Select(p => p.Name))}.");
                }

                var value = property.Value;
                result.Add((parameter.Name, value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null when parameter.IsNullable => "null",
                    _ => throw new ExperimentBindingException(
                        $"Config file '{path}': '{property.Name}' must be a {parameter.TypeName} value, not {value.ValueKind.ToString().ToLowerInvariant()}."),
                }));
            }

            return result;
        }
    }
}
