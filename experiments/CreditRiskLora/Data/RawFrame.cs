namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data.Sources.RData;

/// <summary>
/// A source dataset's columns before harmonisation: text columns (null = missing) and numeric columns (NaN =
/// missing), looked up by name with an error that names the dataset, the column and the columns present.
/// </summary>
public sealed class RawFrame
{
    private readonly Dictionary<string, Array> columns;

    /// <summary>Creates a frame from columns of equal length: string?[] for text, double[] for numbers (NaN = missing).</summary>
    /// <exception cref="ArgumentException">Columns of different lengths or of another element type.</exception>
    public RawFrame(string name, IReadOnlyDictionary<string, Array> columns)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(columns);
        Name = name;
        this.columns = new Dictionary<string, Array>(columns, StringComparer.Ordinal);
        RowCount = this.columns.Count == 0 ? 0 : this.columns.Values.First().Length;
        foreach (var (column, values) in this.columns)
        {
            if (values is not (string?[] or double[]))
            {
                throw new ArgumentException($"{name}: column '{column}' holds {values.GetType().Name}; a raw frame holds string?[] or double[].", nameof(columns));
            }

            if (values.Length != RowCount)
            {
                throw new ArgumentException($"{name}: column '{column}' has {values.Length} rows, others have {RowCount}.", nameof(columns));
            }
        }
    }

    /// <summary>The dataset's name, used in messages.</summary>
    public string Name { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The column names.</summary>
    public IEnumerable<string> Names => columns.Keys;

    /// <summary>Converts an R data frame: factors and character columns become text, integers (NA = NaN) and doubles numbers.</summary>
    public static RawFrame FromR(RDataFrame frame, string name)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
        for (var i = 0; i < frame.Names.Count; i++)
        {
            columns[frame.Names[i]] = frame.Columns[i] switch
            {
                int[] ints => ints.Select(v => v == RIntegers.NA ? double.NaN : v).ToArray(),
                var other => other,
            };
        }

        return new RawFrame(name, columns);
    }

    /// <summary>Reads every column of a Parquet file: strings as text, numbers and booleans as numbers (null = missing).</summary>
    /// <exception cref="InvalidDataException">The file is not readable Parquet or has a column of another type.</exception>
    public static async Task<RawFrame> ReadParquetAsync(string path, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields();
            var parts = fields.ToDictionary(f => f.Name, _ => new List<Array>(), StringComparer.Ordinal);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                foreach (var field in fields)
                {
                    parts[field.Name].Add(await ReadColumnAsync(group, field, rows, path, cancellationToken).ConfigureAwait(false));
                }
            }

            var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
            foreach (var field in fields)
            {
                columns[field.Name] = IsText(field)
                    ? parts[field.Name].SelectMany(p => (string?[])p).ToArray()
                    : parts[field.Name].SelectMany(p => (double[])p).ToArray();
            }

            return new RawFrame(name, columns);
        }
    }

    /// <summary>The text column <paramref name="column"/> (null = missing).</summary>
    /// <exception cref="InvalidDataException">No such column, or it is numeric.</exception>
    public string?[] Text(string column) =>
        Find(column) as string?[] ?? throw new InvalidDataException($"{Name}: column '{column}' is numeric; a text column was expected.");

    /// <summary>The numeric column <paramref name="column"/> (NaN = missing).</summary>
    /// <exception cref="InvalidDataException">No such column, or it is text.</exception>
    public double[] Number(string column) =>
        Find(column) as double[] ?? throw new InvalidDataException($"{Name}: column '{column}' is text; a numeric column was expected.");

    private Array Find(string column) =>
        columns.TryGetValue(column, out var values)
            ? values
            : throw new InvalidDataException($"{Name} has no column '{column}'. Columns present: {string.Join(", ", columns.Keys)}.");

    private static async Task<Array> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int rows, string path, CancellationToken cancellationToken)
    {
        var type = field.ClrType;
        if (IsText(field))
        {
            var text = new string?[rows];
            await group.ReadAsync(field, text.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return text;
        }

        if (type == typeof(double))
        {
            return await ReadNumbersAsync<double>(group, field, rows, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(int))
        {
            return await ReadNumbersAsync<int>(group, field, rows, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(long))
        {
            return await ReadNumbersAsync<long>(group, field, rows, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(bool))
        {
            return await ReadNumbersAsync<bool>(group, field, rows, v => v ? 1 : 0, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidDataException($"{path}: column '{field.Name}' has type {type.Name}; expected string, double, int32, int64 or bool.");
    }

    // Parquet.Net 6 reports text columns as ReadOnlyMemory<char>; they read into string?[].
    private static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static async Task<double[]> ReadNumbersAsync<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, double> convert, CancellationToken cancellationToken)
        where T : struct
    {
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return values.Select(v => v is { } x ? convert(x) : double.NaN).ToArray();
        }

        var dense = new T[rows];
        await group.ReadAsync(field, dense.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return dense.Select(convert).ToArray();
    }
}
