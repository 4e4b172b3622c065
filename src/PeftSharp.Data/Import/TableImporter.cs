namespace PeftSharp.Data.Import;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>
/// Converts CSV, JSON Lines and ARFF files to Parquet, streaming (two passes over the input, never holding more than
/// one row group). Column types are declared (<see cref="ImportOptions.Schema"/>, or ARFF's own declarations) or
/// inferred from every value: bool if all values are true/false, else int64 if all are integers, else double if all
/// are numbers, else string. A column with any missing value is written nullable. The output is written atomically.
/// </summary>
public static class TableImporter
{
    /// <summary>Imports <paramref name="input"/> into the Parquet file <paramref name="output"/>.</summary>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="InvalidDataException">Malformed input or a value that does not fit its column's type, with file and line.</exception>
    /// <exception cref="ArgumentException">An unknown format or a schema naming a column that does not exist.</exception>
    public static async Task<ImportResult> ImportAsync(string input, string output, ImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new ImportOptions();
        if (options.RowGroupSize < 1)
        {
            throw new ArgumentException($"The row group size must be at least 1 (got {options.RowGroupSize}).", nameof(options));
        }

        if (!File.Exists(input))
        {
            throw new FileNotFoundException($"Input file '{input}' does not exist.", input);
        }

        var format = options.Format ?? FormatOf(input);
        var columns = Infer(input, format, options.Schema ?? new Dictionary<string, ColumnType>(), out var rows);
        if (rows == 0)
        {
            throw new InvalidDataException($"'{input}' has no data rows; there is nothing to import.");
        }

        var groups = await WriteAsync(input, output, format, columns, options.RowGroupSize, cancellationToken).ConfigureAwait(false);
        return new ImportResult(columns, rows, groups);
    }

    /// <summary>The format of <paramref name="path"/> from its extension.</summary>
    /// <exception cref="ArgumentException">An extension that names no known format.</exception>
    public static ImportFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".CSV" => ImportFormat.Csv,
            ".JSONL" or ".NDJSON" or ".JSONLINES" => ImportFormat.JsonLines,
            ".ARFF" => ImportFormat.Arff,
            var other => throw new ArgumentException(
                $"Cannot tell the format of '{path}' from its extension '{other}'; use .csv, .jsonl or .arff, or name the format (csv, jsonl, arff)."),
        };
    }

    private static TableSource Open(string path, ImportFormat format, IReadOnlyList<string>? names) => format switch
    {
        ImportFormat.Csv => new CsvSource(path),
        ImportFormat.JsonLines => new JsonLinesSource(path, names),
        _ => new ArffSource(path),
    };

    private static ImportColumn[] Infer(string input, ImportFormat format, IReadOnlyDictionary<string, ColumnType> declared, out long rows)
    {
        using var source = Open(input, format, null);
        var states = new List<Inference>();
        rows = 0;
        while (source.TryRead(out var row))
        {
            while (states.Count < source.Names.Count)
            {
                // A JSON Lines key first seen now was missing from every earlier row.
                states.Add(new Inference { Missing = rows });
            }

            for (var i = 0; i < states.Count; i++)
            {
                var cell = i < row.Length ? row[i] : Cell.Null;
                var name = source.Names[i];
                var type = declared.TryGetValue(name, out var d) ? d : source.DeclaredTypes.TryGetValue(name, out var a) ? a : (ColumnType?)null;
                if (type is { } fixedType && cell.Kind != CellKind.Null && !TryConvert(cell, fixedType, out _))
                {
                    throw new InvalidDataException(
                        $"'{input}' line {source.Line}: column '{name}' is declared {TypeNames.Name(fixedType)}, but has '{cell.Text}'. Fix the value or declare the column string.");
                }

                states[i].Observe(cell);
            }

            rows++;
        }

        while (states.Count < source.Names.Count)
        {
            states.Add(new Inference());
        }

        var unknown = declared.Keys.Where(k => !source.Names.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException(
                $"The schema names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, not a column of '{input}'. Columns: {string.Join(", ", source.Names)}.");
        }

        return source.Names.Select((name, i) =>
        {
            var type = declared.TryGetValue(name, out var d) ? d : source.DeclaredTypes.TryGetValue(name, out var a) ? a : states[i].Type;
            return new ImportColumn(name, type, states[i].Missing > 0);
        }).ToArray();
    }

    private static async Task<int> WriteAsync(
        string input, string output, ImportFormat format, ImportColumn[] columns, int rowGroupSize, CancellationToken cancellationToken)
    {
        var fields = columns.Select(c => new DataField(c.Name, ClrType(c.Type), isNullable: c.Nullable)).ToArray();
        var groups = 0;
        await AtomicParquetFile.WriteAsync(output, new ParquetSchema(fields), async writer =>
        {
            using var source = Open(input, format, columns.Select(c => c.Name).ToArray());
            var buffers = columns.Select(c => new ColumnBuffer(c.Type, rowGroupSize)).ToArray();
            var count = 0;
            while (source.TryRead(out var row))
            {
                for (var i = 0; i < columns.Length; i++)
                {
                    var cell = i < row.Length ? row[i] : Cell.Null;
                    object? value = null;
                    if (cell.Kind != CellKind.Null && !TryConvert(cell, columns[i].Type, out value))
                    {
                        throw new InvalidDataException(
                            $"'{input}' line {source.Line}: column '{columns[i].Name}' ({TypeNames.Name(columns[i].Type)}) cannot hold '{cell.Text}'; the file changed while importing.");
                    }
                    else
                    {
                        buffers[i].Set(count, value);
                    }
                }

                if (++count == rowGroupSize)
                {
                    await FlushAsync(writer, fields, buffers, count, cancellationToken).ConfigureAwait(false);
                    groups++;
                    count = 0;
                }
            }

            if (count > 0)
            {
                await FlushAsync(writer, fields, buffers, count, cancellationToken).ConfigureAwait(false);
                groups++;
            }
        }, cancellationToken).ConfigureAwait(false);

        return groups;
    }

    private static async Task FlushAsync(ParquetWriter writer, DataField[] fields, ColumnBuffer[] buffers, int count, CancellationToken cancellationToken)
    {
        using var rowGroup = writer.CreateRowGroup();
        for (var i = 0; i < fields.Length; i++)
        {
            await buffers[i].WriteAsync(rowGroup, fields[i], count, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Type ClrType(ColumnType type) => type switch
    {
        ColumnType.Whole => typeof(long),
        ColumnType.Real => typeof(double),
        ColumnType.Boolean => typeof(bool),
        _ => typeof(string),
    };

    internal static bool TryConvert(Cell cell, ColumnType type, out object? value)
    {
        var text = cell.Text!;
        switch (type)
        {
            case ColumnType.Text:
                value = text;
                return true;
            case ColumnType.Whole when cell.Kind is CellKind.Text or CellKind.Number or CellKind.String
                                       && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                value = integer;
                return true;
            case ColumnType.Real when cell.Kind is CellKind.Text or CellKind.Number or CellKind.String
                                        && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                value = number;
                return true;
            case ColumnType.Boolean when cell.Kind is CellKind.Text or CellKind.Bool or CellKind.String && IsBool(text, out var flag):
                value = flag;
                return true;
            default:
                value = null;
                return false;
        }
    }

    private static bool IsBool(string text, out bool value)
    {
        var trimmed = text.Trim();
        value = string.Equals(trimmed, "true", StringComparison.OrdinalIgnoreCase);
        return value || string.Equals(trimmed, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Narrows a column's possible types as values arrive.</summary>
    private sealed class Inference
    {
        private bool seen;
        private bool canBool = true;
        private bool canInt = true;
        private bool canDouble = true;

        public long Missing { get; set; }

        public ColumnType Type => !seen ? ColumnType.Text
            : canBool ? ColumnType.Boolean
            : canInt ? ColumnType.Whole
            : canDouble ? ColumnType.Real
            : ColumnType.Text;

        public void Observe(Cell cell)
        {
            if (cell.Kind == CellKind.Null)
            {
                Missing++;
                return;
            }

            seen = true;
            if (cell.Kind == CellKind.String)
            {
                // A JSON string stays a string even when its text looks like a number.
                canBool = canInt = canDouble = false;
                return;
            }

            canBool &= cell.Kind != CellKind.Number && IsBool(cell.Text!, out _);
            canInt &= cell.Kind != CellKind.Bool && TryConvert(cell, ColumnType.Whole, out _);
            canDouble &= cell.Kind != CellKind.Bool && TryConvert(cell, ColumnType.Real, out _);
        }
    }
}
