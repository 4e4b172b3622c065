namespace PeftSharp.Tests.Data;

using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Data;
using Xunit;

public sealed class DatasetRecordTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task The_record_has_mlflow_dataset_fields_and_a_stable_digest()
    {
        var path = temp.File("data.parquet");
        await TestTables.WriteNumericAsync(path, 3, 4);
        var spec = new DatasetSpec("numeric", path).Numbers("x", "a", "c").Label("y", "label", 3);
        var record = await (await ParquetDataset.OpenAsync(spec)).DescribeAsync();

        record.Name.Should().Be("numeric");
        record.Digest.Should().MatchRegex("^[0-9a-f]{32}$");
        record.SourceType.Should().Be("local");
        JsonDocument.Parse(record.Source).RootElement.GetProperty("uri").GetString().Should().Be(new Uri(path).AbsoluteUri);
        JsonDocument.Parse(record.Profile).RootElement.GetProperty("num_rows").GetInt64().Should().Be(12);
        var columns = JsonDocument.Parse(record.Schema).RootElement.GetProperty("mlflow_colspec").EnumerateArray()
            .Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}:{c.GetProperty("required").GetBoolean()}").ToArray();
        columns.Should().Equal("a:double:True", "c:integer:True", "label:long:True");

        var again = await (await ParquetDataset.OpenAsync(spec)).DescribeAsync();
        again.Should().Be(record);
        record.Verify(record.Digest.ToUpperInvariant());

        // Another mapping of the same file, or another file content, is other data.
        var otherMapping = await (await ParquetDataset.OpenAsync(spec with { Inputs = [.. spec.Inputs.Take(1), new LabelInput("y", "label", 4)] })).DescribeAsync();
        otherMapping.Digest.Should().NotBe(record.Digest);
        await TestTables.WriteNumericAsync(path, 3, 5);
        var changed = await (await ParquetDataset.OpenAsync(spec)).DescribeAsync();
        changed.Digest.Should().NotBe(record.Digest);
        var verify = () => changed.Verify(record.Digest);
        verify.Should().Throw<InvalidDataException>().WithMessage($"*has digest {changed.Digest}*used {record.Digest}*");
    }

    [Fact]
    public async Task Moving_the_files_keeps_the_digest()
    {
        var path = temp.File("a.parquet");
        await TestTables.WriteNumericAsync(path, 1, 4);
        var moved = temp.File("b.parquet");
        File.Copy(path, moved);

        var first = await (await ParquetDataset.OpenAsync(new DatasetSpec("d", path).Numbers("x", "a"))).DescribeAsync();
        var second = await (await ParquetDataset.OpenAsync(new DatasetSpec("d", moved).Numbers("x", "a"))).DescribeAsync();
        second.Digest.Should().Be(first.Digest);
        second.Source.Should().NotBe(first.Source);
    }
}
