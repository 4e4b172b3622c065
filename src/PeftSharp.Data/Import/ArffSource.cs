namespace PeftSharp.Data.Import;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

/// <summary>
/// Weka ARFF: <c>@relation</c>, <c>@attribute name type</c> (numeric, real, integer, string, date, nominal
/// <c>{a,b}</c>), then <c>@data</c> with comma-separated dense rows. <c>%</c> starts a comment, <c>?</c> is missing,
/// values and names may be quoted with ' or ". Sparse rows (<c>{index value, ...}</c>) are rejected with a clear error.
/// </summary>
internal sealed class ArffSource : TableSource
{
    private readonly StreamReader reader;
    private readonly string path;
    private readonly List<string> names = [];
    private readonly Dictionary<string, ColumnType> types = new(StringComparer.Ordinal);
    private readonly List<HashSet<string>?> nominals = [];
    private long line;

    public ArffSource(string path)
    {
        this.path = path;
        reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        ReadHeader();
    }

    public override IReadOnlyList<string> Names => names;

    public override IReadOnlyDictionary<string, ColumnType> DeclaredTypes => types;

    public override bool TryRead(out Cell[] row)
    {
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            var trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '%')
            {
                continue;
            }

            Line = line;
            if (trimmed[0] == '{')
            {
                throw new InvalidDataException(
                    $"'{path}' line {line}: sparse ARFF rows ({{index value, ...}}) are not supported; save the data as dense ARFF or CSV.");
            }

            var values = Split(trimmed);
            if (values.Count != names.Count)
            {
                throw new InvalidDataException($"'{path}' line {line}: {values.Count} values, but {names.Count} attributes are declared.");
            }

            row = new Cell[values.Count];
            for (var i = 0; i < values.Count; i++)
            {
                var (value, quoted) = values[i];
                if (!quoted && value == "?")
                {
                    row[i] = Cell.Null;
                    continue;
                }

                if (nominals[i] is { } allowed && !allowed.Contains(value))
                {
                    throw new InvalidDataException(
                        $"'{path}' line {line}: '{value}' is not a value of nominal attribute '{names[i]}' ({{{string.Join(",", allowed)}}}).");
                }

                row[i] = new Cell(value, CellKind.Text);
            }

            return true;
        }

        row = [];
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reader.Dispose();
        }
    }

    private void ReadHeader()
    {
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            var trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '%')
            {
                continue;
            }

            if (trimmed.StartsWith("@relation", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (trimmed.StartsWith("@data", StringComparison.OrdinalIgnoreCase))
            {
                if (names.Count == 0)
                {
                    throw new InvalidDataException($"'{path}' line {line}: @data before any @attribute; declare the columns first.");
                }

                return;
            }

            if (!trimmed.StartsWith("@attribute", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"'{path}' line {line}: expected @relation, @attribute or @data, found '{Shorten(trimmed)}'.");
            }

            var rest = trimmed["@attribute".Length..].TrimStart();
            var (name, after) = ReadName(rest);
            var type = after.Trim();
            if (name.Length == 0 || type.Length == 0)
            {
                throw new InvalidDataException($"'{path}' line {line}: an @attribute needs a name and a type.");
            }

            if (types.ContainsKey(name))
            {
                throw new InvalidDataException($"'{path}' line {line}: attribute '{name}' is declared twice.");
            }

            HashSet<string>? nominal = null;
            ColumnType columnType;
            if (type[0] == '{')
            {
                var close = type.LastIndexOf('}');
                if (close < 0)
                {
                    throw new InvalidDataException($"'{path}' line {line}: nominal attribute '{name}' has no closing brace.");
                }

                nominal = new HashSet<string>(Split(type[1..close]).Select(v => v.Value), StringComparer.Ordinal);
                columnType = ColumnType.Text;
            }
            else
            {
                var keyword = type.Split([' ', '\t'], 2)[0].ToUpperInvariant();
                columnType = keyword switch
                {
                    "NUMERIC" or "REAL" => ColumnType.Real,
                    "INTEGER" => ColumnType.Whole,
                    "STRING" or "DATE" => ColumnType.Text,
                    "RELATIONAL" => throw new InvalidDataException($"'{path}' line {line}: relational attribute '{name}' is not supported; flatten it first."),
                    _ => throw new InvalidDataException(
                        $"'{path}' line {line}: attribute '{name}' has unknown type '{type}'; ARFF types are numeric, real, integer, string, date and {{nominal,values}}."),
                };
            }

            names.Add(name);
            types.Add(name, columnType);
            nominals.Add(nominal);
        }

        throw new InvalidDataException($"'{path}' has no @data section; it is not a complete ARFF file.");
    }

    private static (string Name, string Remainder) ReadName(string text)
    {
        if (text.Length > 0 && text[0] is '\'' or '"')
        {
            var close = text.IndexOf(text[0], 1);
            return close < 0 ? (string.Empty, string.Empty) : (text[1..close], text[(close + 1)..]);
        }

        var end = text.IndexOfAny([' ', '\t', '{']);
        return end < 0 ? (text, string.Empty) : (text[..end], text[end..]);
    }

    // Splits at commas outside quotes; quoted values lose their quotes and backslash escapes.
    private List<(string Value, bool Quoted)> Split(string text)
    {
        var values = new List<(string, bool)>();
        var current = new StringBuilder();
        var i = 0;
        while (i <= text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var quoted = false;
            current.Clear();
            if (i < text.Length && text[i] is '\'' or '"')
            {
                quoted = true;
                var quote = text[i++];
                while (i < text.Length && text[i] != quote)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    current.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new InvalidDataException($"'{path}' line {line}: a quoted value is never closed.");
                }

                i++;
                while (i < text.Length && text[i] != ',')
                {
                    if (!char.IsWhiteSpace(text[i]))
                    {
                        throw new InvalidDataException($"'{path}' line {line}: text after a closing quote.");
                    }

                    i++;
                }
            }
            else
            {
                while (i < text.Length && text[i] != ',')
                {
                    if (text[i] == '%')
                    {
                        // A trailing comment ends the row.
                        i = text.Length;
                        break;
                    }

                    current.Append(text[i++]);
                }
            }

            values.Add((quoted ? current.ToString() : current.ToString().Trim(), quoted));
            i++;
        }

        return values;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
