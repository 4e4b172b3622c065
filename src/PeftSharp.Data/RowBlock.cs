namespace PeftSharp.Data;

using System;

/// <summary>
/// The decoded rows of one row group (or a subset of them), column by column, one payload per dataset input:
/// NumberInput float[rows * features], row-major; CategoryInput long[] (or string?[] before fitting); TextInput int[][];
/// TokenIdsInput long[][]; ImageInput byte[][] or float[][]; LabelInput long[].
/// </summary>
internal sealed class RowBlock
{
    public RowBlock(long[] rowIds, object[] payloads, int[] widths)
    {
        RowIds = rowIds;
        Payloads = payloads;
        Widths = widths;
    }

    public int Count => RowIds.Length;

    public long[] RowIds { get; }

    public object[] Payloads { get; }

    /// <summary>Values per row of each payload (feature count for numbers, 1 otherwise).</summary>
    public int[] Widths { get; }

    /// <summary>A new block holding <paramref name="rows"/> of this one, in that order.</summary>
    public RowBlock Take(int[] rows)
    {
        var ids = new long[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            ids[i] = RowIds[rows[i]];
        }

        var payloads = new object[Payloads.Length];
        for (var p = 0; p < Payloads.Length; p++)
        {
            payloads[p] = Payloads[p] switch
            {
                float[] values => Gather(values, rows, Widths[p]),
                long[] values => Gather(values, rows, 1),
                string?[] values => Gather(values, rows, 1),
                int[][] values => Gather(values, rows, 1),
                long[][] values => Gather(values, rows, 1),
                byte[][] values => Gather(values, rows, 1),
                float[][] values => Gather(values, rows, 1),
                var other => throw new InvalidOperationException($"Unexpected payload {other.GetType().Name}."),
            };
        }

        return new RowBlock(ids, payloads, Widths);
    }

    private static T[] Gather<T>(T[] source, int[] rows, int width)
    {
        var result = new T[rows.Length * width];
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Copy(source, rows[i] * width, result, i * width, width);
        }

        return result;
    }
}
