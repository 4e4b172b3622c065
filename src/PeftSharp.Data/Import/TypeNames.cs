namespace PeftSharp.Data.Import;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>Names of column types in schemas (<c>int64</c>, <c>double</c>, <c>string</c>, <c>bool</c>) and schema parsing.</summary>
public static class TypeNames
{
    /// <summary>The name of <paramref name="type"/>.</summary>
    public static string Name(ColumnType type) => type switch
    {
        ColumnType.Whole => "int64",
        ColumnType.Real => "double",
        ColumnType.Text => "string",
        _ => "bool",
    };

    /// <summary>Parses a type name (int64/long/int/integer, double/float/real/numeric, string/text, bool/boolean).</summary>
    /// <exception cref="FormatException">Unknown name; the message lists the known ones.</exception>
    public static ColumnType Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToUpperInvariant() switch
        {
            "INT64" or "LONG" or "INT" or "INTEGER" => ColumnType.Whole,
            "DOUBLE" or "FLOAT" or "REAL" or "NUMERIC" => ColumnType.Real,
            "STRING" or "TEXT" => ColumnType.Text,
            "BOOL" or "BOOLEAN" => ColumnType.Boolean,
            _ => throw new FormatException($"Unknown column type '{name}'; use int64, double, string or bool."),
        };
    }

    /// <summary>Parses <c>name:type,name:type</c>.</summary>
    /// <exception cref="FormatException">A malformed entry, named.</exception>
    public static IReadOnlyDictionary<string, ColumnType> ParseSchema(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var result = new Dictionary<string, ColumnType>(StringComparer.Ordinal);
        foreach (var entry in schema.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
            {
                throw new FormatException($"Schema entry '{entry}' is not name:type (for example age:int64).");
            }

            var name = entry[..colon].Trim();
            if (!result.TryAdd(name, Parse(entry[(colon + 1)..])))
            {
                throw new FormatException($"Column '{name}' is declared twice in the schema.");
            }
        }

        return result.Count > 0 ? result : throw new FormatException("The schema is empty; give name:type pairs separated by commas.");
    }

    internal static string Known => string.Join(", ", Enum.GetValues<ColumnType>().Select(Name));
}
