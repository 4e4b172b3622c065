namespace PeftSharp.Tests.Data;

using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;
using Xunit;

public sealed class ParquetTabularReaderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Reads_back_what_the_writer_wrote()
    {
        var path = temp.File("table.parquet");
        await ParquetTableWriter.WriteAsync(path,
        [
            new ColumnData("a", new[] { 1.5, -2.25, 3e10 }),
            new ColumnData("b", new[] { 4f, 5f, 6f }),
            new ColumnData("c", new[] { 7, 8, 9 }),
            new ColumnData("label", new[] { 0L, 2L, 1L }),
        ]);

        var data = await ParquetTabularReader.ReadAsync(path, new TabularColumns(["c", "a", "b"], "label"));

        data.Count.Should().Be(3);
        data.ClassCount.Should().Be(3);
        data.FeatureNames.Should().Equal("c", "a", "b");
        data.Feature(1, 0).Should().Be(8f);
        data.Feature(1, 1).Should().Be(-2.25f);
        data.Feature(2, 2).Should().Be(6f);
        data.Label(1).Should().Be(2);
        using var features = data.FeaturesTensor();
        features.shape.Should().Equal(3, 3);
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var read = () => ParquetTabularReader.ReadAsync(temp.File("absent.parquet"), new TabularColumns(["a"], "label"));

        (await read.Should().ThrowAsync<FileNotFoundException>()).WithMessage("*absent.parquet*does not exist*");
    }

    [Fact]
    public async Task A_missing_column_is_named_with_the_columns_present()
    {
        var path = temp.File("table.parquet");
        await ParquetTableWriter.WriteAsync(path, [new ColumnData("x", new[] { 1.0 }), new ColumnData("label", new[] { 0L })]);

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["radius"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'radius' not found*Columns present: x, label.");
    }

    [Fact]
    public async Task A_text_feature_column_is_a_type_error()
    {
        var path = temp.File("text.parquet");
        await WriteWithParquetNetAsync(path, new DataField<string>("x"), ["a"], new DataField<long>("label"), [0L]);

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'x'*type string*numeric*");
    }

    [Fact]
    public async Task A_fractional_label_column_is_a_type_error()
    {
        var path = temp.File("labels.parquet");
        await ParquetTableWriter.WriteAsync(path, [new ColumnData("x", new[] { 1.0 }), new ColumnData("label", new[] { 0.5 })]);

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("Label column 'label'*integers*");
    }

    [Fact]
    public async Task A_null_value_is_reported_with_its_row()
    {
        var path = temp.File("nulls.parquet");
        await WriteWithParquetNetAsync(path, new DataField<double?>("x"), new double?[] { 1.0, null, 3.0 }, new DataField<long>("label"), [0L, 1L, 0L]);

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'x'*null at row 1*");
    }

    [Fact]
    public async Task A_negative_label_is_out_of_range()
    {
        var path = temp.File("negative.parquet");
        await ParquetTableWriter.WriteAsync(path, [new ColumnData("x", new[] { 1.0, 2.0 }), new ColumnData("label", new[] { 0L, -1L })]);

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*-1 at row 1*");
    }

    [Fact]
    public async Task An_empty_dataset_is_an_error()
    {
        var path = temp.File("empty.parquet");
        await ParquetTableWriter.WriteAsync(path, [new ColumnData("x", Array.Empty<double>()), new ColumnData("label", Array.Empty<long>())]);

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*has no rows*");
    }

    [Fact]
    public async Task A_corrupt_file_is_reported_as_not_parquet()
    {
        var path = temp.File("corrupt.parquet");
        await File.WriteAllBytesAsync(path, new byte[] { 0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 9 });

        var read = () => ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*corrupt.parquet*not a readable Parquet file*");
    }

    [Fact]
    public async Task The_writer_replaces_a_file_atomically_and_leaves_no_temporary_files()
    {
        var path = temp.File("table.parquet");
        await ParquetTableWriter.WriteAsync(path, [new ColumnData("x", new[] { 1.0 })]);
        await ParquetTableWriter.WriteAsync(path, [new ColumnData("x", new[] { 2.0, 3.0 }), new ColumnData("label", new[] { 0L, 1L })]);

        var data = await ParquetTabularReader.ReadAsync(path, new TabularColumns(["x"], "label"));

        data.Count.Should().Be(2);
        Directory.GetFiles(temp.Path).Should().ContainSingle();
    }

    private static async Task WriteWithParquetNetAsync<TX, TLabel>(string path, DataField x, TX[] xs, DataField label, TLabel[] labels)
    {
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(x, label), stream);
        using var group = writer.CreateRowGroup();
        await WriteColumnAsync(group, x, xs);
        await WriteColumnAsync(group, label, labels);
    }

    private static Task WriteColumnAsync<T>(ParquetRowGroupWriter group, DataField field, T[] values) => values switch
    {
        string[] s => group.WriteAsync(field, s),
        double?[] d => group.WriteAsync(field, (ReadOnlyMemory<double?>)d),
        long[] l => group.WriteAsync(field, (ReadOnlyMemory<long>)l),
        _ => throw new NotSupportedException(typeof(T).Name),
    };
}
