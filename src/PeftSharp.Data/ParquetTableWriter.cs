namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>Writes columns of equal length to a Parquet file, atomically (a crash never leaves a half-written file).</summary>
public static class ParquetTableWriter
{
    /// <summary>Writes <paramref name="columns"/> as one row group. Supported value arrays: double[], float[], long[], int[].</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<ColumnData> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
        {
            throw new ArgumentException("At least one column is needed.", nameof(columns));
        }

        var rows = columns[0].Values.Length;
        var mismatched = columns.FirstOrDefault(c => c.Values.Length != rows);
        if (mismatched is not null)
        {
            throw new ArgumentException($"Column '{mismatched.Name}' has {mismatched.Values.Length} values; '{columns[0].Name}' has {rows}.", nameof(columns));
        }

        var fields = columns.Select(c => new DataField(c.Name, c.Values.GetType().GetElementType()!, isNullable: false)).ToArray();
        await AtomicParquetFile.WriteAsync(path, new ParquetSchema(fields), async writer =>
        {
            using var rowGroup = writer.CreateRowGroup();
            for (var i = 0; i < columns.Count; i++)
            {
                await WriteColumnAsync(rowGroup, fields[i], columns[i], cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteColumnAsync(ParquetRowGroupWriter rowGroup, DataField field, ColumnData column, CancellationToken cancellationToken) =>
        column.Values switch
        {
            double[] values => rowGroup.WriteAsync(field, (ReadOnlyMemory<double>)values, cancellationToken: cancellationToken),
            float[] values => rowGroup.WriteAsync(field, (ReadOnlyMemory<float>)values, cancellationToken: cancellationToken),
            long[] values => rowGroup.WriteAsync(field, (ReadOnlyMemory<long>)values, cancellationToken: cancellationToken),
            int[] values => rowGroup.WriteAsync(field, (ReadOnlyMemory<int>)values, cancellationToken: cancellationToken),
            _ => throw new NotSupportedException(
                $"Column '{column.Name}' holds {column.Values.GetType().Name}; supported are double[], float[], long[] and int[]."),
        };
}
