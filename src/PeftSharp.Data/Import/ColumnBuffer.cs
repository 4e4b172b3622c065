namespace PeftSharp.Data.Import;

using System;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>One row group's values of one column, typed, reused across row groups.</summary>
internal sealed class ColumnBuffer
{
    private readonly ColumnType type;
    private readonly long?[]? integers;
    private readonly double?[]? doubles;
    private readonly bool?[]? flags;
    private readonly string?[]? strings;

    public ColumnBuffer(ColumnType type, int capacity)
    {
        this.type = type;
        switch (type)
        {
            case ColumnType.Whole:
                integers = new long?[capacity];
                break;
            case ColumnType.Real:
                doubles = new double?[capacity];
                break;
            case ColumnType.Boolean:
                flags = new bool?[capacity];
                break;
            default:
                strings = new string?[capacity];
                break;
        }
    }

    public void Set(int row, object? value)
    {
        switch (type)
        {
            case ColumnType.Whole:
                integers![row] = (long?)value;
                break;
            case ColumnType.Real:
                doubles![row] = (double?)value;
                break;
            case ColumnType.Boolean:
                flags![row] = (bool?)value;
                break;
            default:
                strings![row] = (string?)value;
                break;
        }
    }

    public async Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, int count, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case ColumnType.Whole:
                await WriteAsync(rowGroup, field, integers!, count, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnType.Real:
                await WriteAsync(rowGroup, field, doubles!, count, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnType.Boolean:
                await WriteAsync(rowGroup, field, flags!, count, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await rowGroup.WriteAsync(field, new ArraySegment<string?>(strings!, 0, count)).ConfigureAwait(false);
                break;
        }
    }

    private static async Task WriteAsync<T>(ParquetRowGroupWriter rowGroup, DataField field, T?[] values, int count, CancellationToken cancellationToken)
        where T : struct
    {
        if (field.IsNullable)
        {
            await rowGroup.WriteAsync(field, new ReadOnlyMemory<T?>(values, 0, count), cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var dense = new T[count];
        for (var i = 0; i < count; i++)
        {
            dense[i] = values[i]!.Value;
        }

        await rowGroup.WriteAsync(field, (ReadOnlyMemory<T>)dense, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
