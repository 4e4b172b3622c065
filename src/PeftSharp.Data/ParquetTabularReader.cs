namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>
/// Reads numeric feature columns and an integer label column of a Parquet file into <see cref="TabularData"/>,
/// checking everything before training starts: the file, the columns, their types, nulls and labels.
/// </summary>
public static class ParquetTabularReader
{
    /// <summary>Reads <paramref name="path"/> row group by row group.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not Parquet, a column is missing, mistyped or null, a label is negative, or there are no rows.</exception>
    public static async Task<TabularData> ReadAsync(string path, TabularColumns columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(columns);
        columns.Validate();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Dataset file '{path}' does not exist. Check the path or run the experiment's data setup.", path);
        }

        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ParquetException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' is not a readable Parquet file ({e.Message}). Recreate it from its source.", e);
        }

        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields();
            var featureFields = columns.Features.Select(name => FindField(path, fields, name)).ToArray();
            var labelField = FindField(path, fields, columns.Label);
            foreach (var field in featureFields)
            {
                RequireNumeric(path, field);
            }

            RequireInteger(path, labelField);

            var featureCount = featureFields.Length;
            var features = new List<float>();
            var labels = new List<long>();
            for (var group = 0; group < reader.RowGroupCount; group++)
            {
                using var rowGroup = reader.OpenRowGroupReader(group);
                var rows = checked((int)rowGroup.RowCount);
                var firstRow = labels.Count;
                var block = new float[rows * featureCount];
                for (var column = 0; column < featureCount; column++)
                {
                    var values = await ReadDoublesAsync(path, rowGroup, featureFields[column], firstRow, cancellationToken).ConfigureAwait(false);
                    for (var row = 0; row < rows; row++)
                    {
                        block[(row * featureCount) + column] = (float)values[row];
                    }
                }

                var labelValues = await ReadDoublesAsync(path, rowGroup, labelField, firstRow, cancellationToken).ConfigureAwait(false);
                for (var row = 0; row < rows; row++)
                {
                    var label = labelValues[row];
                    if (label < 0)
                    {
                        throw new InvalidDataException(
                            $"Label column '{labelField.Name}' in '{path}' has {label} at row {firstRow + row}; class labels must be 0 or greater.");
                    }

                    labels.Add((long)label);
                }

                features.AddRange(block);
            }

            if (labels.Count == 0)
            {
                throw new InvalidDataException($"'{path}' has no rows; a dataset needs at least one.");
            }

            return new TabularData(columns.Features.ToArray(), features.ToArray(), labels.ToArray());
        }
    }

    private static DataField FindField(string path, DataField[] fields, string name) =>
        fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
        ?? throw new InvalidDataException(
            $"Column '{name}' not found in '{path}'. Columns present: {string.Join(", ", fields.Select(f => f.Name))}.");

    private static void RequireNumeric(string path, DataField field)
    {
        if (!IsInteger(field.ClrType) && field.ClrType != typeof(float) && field.ClrType != typeof(double))
        {
            throw new InvalidDataException(
                $"Column '{field.Name}' in '{path}' has type {Describe(field.ClrType)}; feature columns must be numeric (float, double, int or long).");
        }
    }

    private static void RequireInteger(string path, DataField field)
    {
        if (!IsInteger(field.ClrType))
        {
            throw new InvalidDataException(
                $"Label column '{field.Name}' in '{path}' has type {Describe(field.ClrType)}; labels must be integers (int or long) from 0 to classes-1.");
        }
    }

    // Parquet.Net reports text as ReadOnlyMemory<char> and binary as ReadOnlyMemory<byte>; users know them as string and bytes.
    private static string Describe(Type type) =>
        type == typeof(ReadOnlyMemory<char>) || type == typeof(string) ? "string"
        : type == typeof(ReadOnlyMemory<byte>) || type == typeof(byte[]) ? "binary"
        : type.Name;

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte);

    // Reads one column of a row group as doubles (exact for every supported type), rejecting nulls with the row number.
    private static async Task<double[]> ReadDoublesAsync(
        string path, ParquetRowGroupReader rowGroup, DataField field, int firstRow, CancellationToken cancellationToken)
    {
        var rows = checked((int)rowGroup.RowCount);
        var type = field.ClrType;
        if (type == typeof(double))
        {
            return await ReadAsync<double>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(float))
        {
            return await ReadAsync<float>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(long))
        {
            return await ReadAsync<long>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(int))
        {
            return await ReadAsync<int>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(short))
        {
            return await ReadAsync<short>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(byte))
        {
            return await ReadAsync<byte>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
        }

        return await ReadAsync<sbyte>(path, rowGroup, field, rows, firstRow, v => v, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<double[]> ReadAsync<T>(
        string path, ParquetRowGroupReader rowGroup, DataField field, int rows, int firstRow, Func<T, double> convert,
        CancellationToken cancellationToken)
        where T : struct
    {
        var result = new double[rows];
        try
        {
            if (field.IsNullable)
            {
                var values = new T?[rows];
                await rowGroup.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var row = 0; row < rows; row++)
                {
                    result[row] = values[row] is { } value
                        ? convert(value)
                        : throw new InvalidDataException(
                            $"Column '{field.Name}' in '{path}' is null at row {firstRow + row}; fill or drop missing values before training.");
                }
            }
            else
            {
                var values = new T[rows];
                await rowGroup.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var row = 0; row < rows; row++)
                {
                    result[row] = convert(values[row]);
                }
            }
        }
        catch (Exception e) when (e is IOException or ParquetException or IndexOutOfRangeException or ArgumentException)
        {
            throw new InvalidDataException($"Column '{field.Name}' in '{path}' could not be read ({e.Message}); the file is corrupt.", e);
        }

        return result;
    }
}
