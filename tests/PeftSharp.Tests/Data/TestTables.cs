namespace PeftSharp.Tests.Data;

using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>Writes small Parquet files with many row groups for the dataset tests.</summary>
public static class TestTables
{
    /// <summary>Writes a file with <paramref name="groups"/> row groups; <paramref name="writeGroup"/> writes each (group index).</summary>
    public static async Task WriteAsync(string path, Field[] fields, int groups, Func<ParquetRowGroupWriter, int, Task> writeGroup)
    {
        var stream = File.Create(path);
        await using (stream)
        {
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            await using (writer)
            {
                for (var g = 0; g < groups; g++)
                {
                    using var rowGroup = writer.CreateRowGroup();
                    await writeGroup(rowGroup, g);
                }
            }
        }
    }

    /// <summary>Writes a list column (as pyarrow writes lists: nullable list of required elements); an empty row is an empty list.</summary>
    public static async Task WriteListAsync<T>(ParquetRowGroupWriter rowGroup, ListField list, T[][] rows)
        where T : struct
    {
        var field = (DataField)list.Item;
        var values = rows.SelectMany(r => r).ToArray();
        var definitions = rows.SelectMany(r => r.Length == 0 ? [field.MaxDefinitionLevel - 1] : Enumerable.Repeat(field.MaxDefinitionLevel, r.Length)).ToArray();
        var repetitions = rows.SelectMany(r => r.Length == 0 ? [0] : Enumerable.Range(0, r.Length).Select(i => i == 0 ? 0 : 1)).ToArray();
        await rowGroup.WriteAllPartsAsync(field, (ReadOnlyMemory<T>)values, definitions, repetitions, default);
    }

    /// <summary>
    /// Numeric table: a (double) = row, b (float) = row / 2, c (int) = -row, label (long) = row % 3, key (string) = "k" + row % 37,
    /// with global row numbers, in <paramref name="groups"/> groups of <paramref name="rowsPerGroup"/>.
    /// </summary>
    public static Task WriteNumericAsync(string path, int groups, int rowsPerGroup)
    {
        var a = new DataField<double>("a");
        var b = new DataField<float>("b");
        var c = new DataField<int>("c");
        var label = new DataField<long>("label");
        var key = new DataField<string>("key");
        return WriteAsync(path, [a, b, c, label, key], groups, async (rowGroup, g) =>
        {
            var rows = Enumerable.Range(g * rowsPerGroup, rowsPerGroup).ToArray();
            await rowGroup.WriteAsync(a, (ReadOnlyMemory<double>)rows.Select(r => (double)r).ToArray());
            await rowGroup.WriteAsync(b, (ReadOnlyMemory<float>)rows.Select(r => r / 2f).ToArray());
            await rowGroup.WriteAsync(c, (ReadOnlyMemory<int>)rows.Select(r => -r).ToArray());
            await rowGroup.WriteAsync(label, (ReadOnlyMemory<long>)rows.Select(r => (long)(r % 3)).ToArray());
            await rowGroup.WriteAsync(key, rows.Select(r => (string?)("k" + (r % 37))).ToArray());
        });
    }
}
