namespace PeftSharp.Tests.Data;

using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Parquet.Schema;
using PeftSharp.Data;
using Xunit;

/// <summary>Bad input fails when the dataset is opened or validated, before training, with a message naming the problem.</summary>
public sealed class DatasetErrorTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<string> NumericAsync()
    {
        var path = temp.File("numeric.parquet");
        await TestTables.WriteNumericAsync(path, 2, 5);
        return path;
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var open = () => ParquetDataset.OpenAsync(new DatasetSpec("d", temp.File("absent.parquet")).Numbers("x", "a"));
        (await open.Should().ThrowAsync<FileNotFoundException>()).WithMessage("*absent.parquet*does not exist*import*");
    }

    [Fact]
    public async Task A_missing_column_is_named_with_the_columns_present()
    {
        var path = await NumericAsync();
        var open = () => ParquetDataset.OpenAsync(new DatasetSpec("d", path).Numbers("x", "a", "radius"));
        (await open.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'radius' not found*Columns present: a, b, c, label, key.");
    }

    [Fact]
    public async Task A_wrong_type_names_the_column_its_type_and_what_the_input_needs()
    {
        var path = await NumericAsync();
        var numbers = () => ParquetDataset.OpenAsync(new DatasetSpec("d", path).Numbers("x", "a", "key"));
        (await numbers.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'key'*has type string; input 'x' (NumberInput) needs numeric*");

        var label = () => ParquetDataset.OpenAsync(new DatasetSpec("d", path).Label("y", "a", 2));
        (await label.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'a'*has type double*needs integer*");

        var tokens = () => ParquetDataset.OpenAsync(new DatasetSpec("d", path).TokenIds("t", "c", 8));
        (await tokens.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'c'*has type int32*needs a list of integers*");
    }

    [Fact]
    public async Task Nulls_in_a_numeric_column_are_rejected_with_the_row()
    {
        var path = temp.File("nulls.parquet");
        var x = new DataField<double?>("x");
        await TestTables.WriteAsync(path, [x], 2, async (rowGroup, g) =>
            await rowGroup.WriteAsync(x, (ReadOnlyMemory<double?>)(g == 0 ? new double?[] { 1, 2 } : new double?[] { 3, null })));
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("d", path).Numbers("x", "x"));

        var validate = () => dataset.ValidateAsync();
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'x'*is null at row 3*fill or drop missing values*");
    }

    [Fact]
    public async Task Labels_out_of_range_for_the_class_count_are_rejected()
    {
        var path = await NumericAsync();
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("d", path).Label("y", "label", 2));

        var validate = () => dataset.ValidateAsync();
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("Label column 'label'*has 2 at row 2*0..1 for 2 classes*");
    }

    [Fact]
    public async Task An_empty_file_or_an_empty_split_is_rejected()
    {
        var path = temp.File("empty.parquet");
        var x = new DataField<double>("x");
        await TestTables.WriteAsync(path, [x], 0, (_, _) => Task.CompletedTask);
        var open = () => ParquetDataset.OpenAsync(new DatasetSpec("d", path).Numbers("x", "x"));
        (await open.Should().ThrowAsync<InvalidDataException>()).WithMessage("Dataset 'd' has no rows*");

        var tiny = temp.File("tiny.parquet");
        await TestTables.WriteNumericAsync(tiny, 1, 2);
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("d", tiny).Numbers("x", "a"));
        var validate = () => dataset.ValidateAsync(new SplitSpec(0.01, 0.01, Seed: 0));
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("The * split of dataset 'd' is empty*");
    }

    [Fact]
    public async Task A_corrupt_file_is_reported_as_corrupt()
    {
        var notParquet = temp.File("text.parquet");
        await File.WriteAllTextAsync(notParquet, "a,b\n1,2\n");
        var open = () => ParquetDataset.OpenAsync(new DatasetSpec("d", notParquet).Numbers("x", "a"));
        (await open.Should().ThrowAsync<InvalidDataException>()).WithMessage("*is not a readable Parquet file*");

        // Valid footer, damaged column data: fails on reading, still before training (ValidateAsync).
        var path = await NumericAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        for (var i = 4; i < 200; i++)
        {
            bytes[i] = 0xFF;
        }

        await File.WriteAllBytesAsync(path, bytes);
        var damaged = async () =>
        {
            var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("d", path).Numbers("x", "a", "b"));
            await dataset.ValidateAsync();
        };
        (await damaged.Should().ThrowAsync<InvalidDataException>()).WithMessage("*corrupt*");
    }

    [Fact]
    public void Invalid_declarations_are_rejected()
    {
        var twice = () => new DatasetSpec("d", "f.parquet").Numbers("x", "a").Label("x", "b", 2).Validate();
        twice.Should().Throw<ArgumentException>().WithMessage("*two inputs named 'x'*");
        var noInputs = () => new DatasetSpec("d", "f.parquet").Validate();
        noInputs.Should().Throw<ArgumentException>().WithMessage("*maps no column*");
        var splits = () => new SplitSpec(0.6, 0.5, 1).Validate();
        splits.Should().Throw<ArgumentException>();
        var batch = () => new BatchOptions(4) { Split = DataSplit.Test }.Validate();
        batch.Should().Throw<ArgumentException>().WithMessage("*needs Splits*");
    }
}
