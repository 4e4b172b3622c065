namespace PeftSharp.Tests.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;
using PeftSharp.Data.Import;
using Xunit;

public sealed class TableImporterTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<string> FileAsync(string name, string content)
    {
        var path = temp.File(name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    private static async Task<(DataField[] Fields, Dictionary<string, object?[]> Columns, int RowGroups)> ReadBackAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var columns = fields.ToDictionary(f => f.Name, _ => new List<object?>());
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rowGroup = reader.OpenRowGroupReader(g);
            var rows = (int)rowGroup.RowCount;
            foreach (var field in fields)
            {
                columns[field.Name].AddRange(field.ClrType == typeof(long) ? await ReadAsync<long>(rowGroup, field, rows)
                    : field.ClrType == typeof(double) ? await ReadAsync<double>(rowGroup, field, rows)
                    : field.ClrType == typeof(bool) ? await ReadAsync<bool>(rowGroup, field, rows)
                    : await ReadStringsAsync(rowGroup, field, rows));
            }
        }

        return (fields, columns.ToDictionary(p => p.Key, p => p.Value.ToArray()), reader.RowGroupCount);
    }

    private static async Task<object?[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rows)
        where T : struct
    {
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await rowGroup.ReadAsync(field, values.AsMemory());
            return values.Select(v => (object?)v).ToArray();
        }

        var dense = new T[rows];
        await rowGroup.ReadAsync(field, dense.AsMemory());
        return dense.Select(v => (object?)v).ToArray();
    }

    private static async Task<object?[]> ReadStringsAsync(ParquetRowGroupReader rowGroup, DataField field, int rows)
    {
        var values = new string?[rows];
        await rowGroup.ReadAsync(field, values.AsMemory());
        return values;
    }

    [Fact]
    public async Task Csv_follows_rfc_4180_and_infers_types_and_nulls()
    {
        var csv = await FileAsync("t.csv",
            "id,score,name,flag,maybe\r\n" +
            "1,2.5,\"Smith, John\",true,7\r\n" +
            "2,3,\"say \"\"hi\"\"\",FALSE,\r\n" +
            "3,-1e3,\"two\nlines\",true,9\n" +
            "4,4,\"\",false,10\n");
        var output = temp.File("t.parquet");

        var result = await TableImporter.ImportAsync(csv, output, new ImportOptions { RowGroupSize = 3 });

        result.Rows.Should().Be(4);
        result.RowGroups.Should().Be(2);
        result.Columns.Select(c => c.ToString()).Should().Equal("id:int64", "score:double", "name:string", "flag:bool", "maybe:int64?");
        var (fields, columns, groups) = await ReadBackAsync(output);
        groups.Should().Be(2);
        fields.Select(f => f.ClrType).Should().Equal(typeof(long), typeof(double), typeof(ReadOnlyMemory<char>), typeof(bool), typeof(long));
        columns["id"].Should().Equal(1L, 2L, 3L, 4L);
        columns["score"].Should().Equal(2.5, 3.0, -1000.0, 4.0);
        columns["name"].Should().Equal("Smith, John", "say \"hi\"", "two\nlines", string.Empty);
        columns["flag"].Should().Equal(true, false, true, false);
        columns["maybe"].Should().Equal(new object?[] { 7L, null, 9L, 10L });
    }

    [Fact]
    public async Task A_declared_schema_overrides_inference_and_bad_values_name_the_line()
    {
        var csv = await FileAsync("t.csv", "zip,amount\n01234,5\n98765,6\n");
        var output = temp.File("t.parquet");
        var result = await TableImporter.ImportAsync(csv, output, new ImportOptions { Schema = TypeNames.ParseSchema("zip:string, amount:double") });
        result.Columns.Select(c => c.ToString()).Should().Equal("zip:string", "amount:double");
        (await ReadBackAsync(output)).Columns["zip"].Should().Equal("01234", "98765");

        var bad = await FileAsync("bad.csv", "a,b\n1,2\nx,3\n");
        var import = () => TableImporter.ImportAsync(bad, output, new ImportOptions { Schema = new Dictionary<string, ColumnType> { ["a"] = ColumnType.Whole } });
        (await import.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 3: column 'a' is declared int64, but has 'x'*");

        var unknown = () => TableImporter.ImportAsync(csv, output, new ImportOptions { Schema = new Dictionary<string, ColumnType> { ["zap"] = ColumnType.Text } });
        (await unknown.Should().ThrowAsync<ArgumentException>()).WithMessage("*'zap', not a column*Columns: zip, amount*");
    }

    [Fact]
    public async Task Malformed_csv_is_rejected_with_the_line()
    {
        var output = temp.File("o.parquet");
        var ragged = await FileAsync("ragged.csv", "a,b\n1,2\n3\n");
        var r = () => TableImporter.ImportAsync(ragged, output);
        (await r.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 3: 1 fields, but the header has 2*");

        var open = await FileAsync("open.csv", "a,b\n1,\"never closed\n");
        var o = () => TableImporter.ImportAsync(open, output);
        (await o.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 2: a quoted field is never closed*");

        var stray = await FileAsync("stray.csv", "a,b\n1,ab\"c\n");
        var s = () => TableImporter.ImportAsync(stray, output);
        (await s.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 2: a double quote inside an unquoted field*");

        var headerOnly = await FileAsync("header.csv", "a,b\n");
        var h = () => TableImporter.ImportAsync(headerOnly, output);
        (await h.Should().ThrowAsync<InvalidDataException>()).WithMessage("*no data rows*");
        File.Exists(output).Should().BeFalse("a failed import leaves no file");
    }

    [Fact]
    public async Task Json_lines_keep_json_types_and_missing_keys_are_null()
    {
        var jsonl = await FileAsync("t.jsonl",
            "{\"id\": 1, \"text\": \"12\", \"ok\": true, \"x\": 1}\n" +
            "\n" +
            "{\"id\": 2, \"text\": \"hello\", \"ok\": false, \"x\": 2.5, \"late\": \"new\"}\n" +
            "{\"id\": 3, \"text\": null, \"ok\": true, \"x\": -3}\n");
        var output = temp.File("t.parquet");

        var result = await TableImporter.ImportAsync(jsonl, output);

        result.Columns.Select(c => c.ToString()).Should().Equal("id:int64", "text:string?", "ok:bool", "x:double", "late:string?");
        var columns = (await ReadBackAsync(output)).Columns;
        columns["text"].Should().Equal(new object?[] { "12", "hello", null });
        columns["x"].Should().Equal(1.0, 2.5, -3.0);
        columns["late"].Should().Equal(new object?[] { null, "new", null });

        var nested = await FileAsync("n.jsonl", "{\"a\": [1, 2]}\n");
        var import = () => TableImporter.ImportAsync(nested, output);
        (await import.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 1: 'a' is a JSON array; only scalar values*");
        var broken = await FileAsync("b.jsonl", "{\"a\": 1}\n{\"a\": \n");
        var b = () => TableImporter.ImportAsync(broken, output);
        (await b.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 2: not valid JSON*");
    }

    [Fact]
    public async Task Arff_takes_declared_types_nominals_comments_and_missing_values()
    {
        var arff = await FileAsync("t.arff", """
            % Weka-style file
            @RELATION 'tiny test'

            @ATTRIBUTE age INTEGER
            @ATTRIBUTE 'body mass' NUMERIC
            @attribute note string
            @ATTRIBUTE class {tested_negative,tested_positive}

            @DATA
            % a comment between rows
            50, 33.6, 'has, comma', tested_positive
            31, ?, plain, tested_negative
            ?, 26.6, "double quoted", tested_positive % trailing comment
            """);
        var output = temp.File("t.parquet");

        var result = await TableImporter.ImportAsync(arff, output);

        result.Columns.Select(c => c.ToString()).Should().Equal("age:int64?", "body mass:double?", "note:string", "class:string");
        var columns = (await ReadBackAsync(output)).Columns;
        columns["age"].Should().Equal(new object?[] { 50L, 31L, null });
        columns["body mass"].Should().Equal(new object?[] { 33.6, null, 26.6 });
        columns["note"].Should().Equal("has, comma", "plain", "double quoted");
        columns["class"].Should().Equal("tested_positive", "tested_negative", "tested_positive");
    }

    [Fact]
    public async Task Arff_errors_are_clear()
    {
        var output = temp.File("o.parquet");
        var sparse = await FileAsync("s.arff", "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n{0 1, 1 2}\n");
        var s = () => TableImporter.ImportAsync(sparse, output);
        (await s.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 5: sparse ARFF rows*not supported*dense*");

        var nominal = await FileAsync("n.arff", "@relation r\n@attribute c {yes,no}\n@data\nmaybe\n");
        var n = () => TableImporter.ImportAsync(nominal, output);
        (await n.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 4: 'maybe' is not a value of nominal attribute 'c'*");

        var integer = await FileAsync("i.arff", "@relation r\n@attribute a integer\n@data\n1.5\n");
        var i = () => TableImporter.ImportAsync(integer, output);
        (await i.Should().ThrowAsync<InvalidDataException>()).WithMessage("*line 4: column 'a' is declared int64, but has '1.5'*");

        var noData = await FileAsync("d.arff", "@relation r\n@attribute a integer\n");
        var d = () => TableImporter.ImportAsync(noData, output);
        (await d.Should().ThrowAsync<InvalidDataException>()).WithMessage("*no @data section*");
    }

    [Fact]
    public async Task An_imported_file_streams_as_a_dataset()
    {
        var csv = await FileAsync("d.csv", "f1,f2,label\n" + string.Join("\n", Enumerable.Range(0, 50).Select(i => $"{i},{i * 0.5},{i % 2}")) + "\n");
        var output = temp.File("d.parquet");
        await TableImporter.ImportAsync(csv, output, new ImportOptions { RowGroupSize = 16 });

        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("d", output).Numbers("x", "f1", "f2").Label("y", "label", 2));
        dataset.RowGroups.Should().HaveCount(4);
        using var loader = dataset.OpenBatches(new BatchOptions(50));
        using var batch = loader.Single();
        batch["x"].data<float>()[99].Should().Be(24.5f);
    }

    [Fact]
    public async Task The_import_command_converts_explains_and_fails_with_exit_codes()
    {
        var csv = await FileAsync("c.csv", "a,b\n1,x\n2,y\n");
        var output = temp.File("c.parquet");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        (await DataCommands.RunAsync("import", ["--input", csv, "--output", output, "--schema", "a:double"], stdout, stderr)).Should().Be(0);
        stdout.ToString().Should().Contain("Wrote 2 rows in 1 row group(s)").And.Contain("a:double, b:string");
        File.Exists(output).Should().BeTrue();

        var help = new StringWriter();
        (await DataCommands.RunAsync("import", ["--help"], help, stderr)).Should().Be(0);
        help.ToString().Should().Contain("--schema <name:type,..>").And.Contain("int64, double, string or bool");

        var error = new StringWriter();
        (await DataCommands.RunAsync("import", ["--input", csv], stdout, error)).Should().Be(2);
        error.ToString().Should().Contain("Both --input and --output are required");
        (await DataCommands.RunAsync("import", ["--input", csv, "--output", output, "--schema", "a:decimal"], stdout, error)).Should().Be(2);
        error.ToString().Should().Contain("Unknown column type 'decimal'");
        (await DataCommands.RunAsync("import", ["--input", temp.File("none.csv"), "--output", output], stdout, error)).Should().Be(1);
        error.ToString().Should().Contain("none.csv' does not exist");
        (await DataCommands.RunAsync("export", [], stdout, error)).Should().Be(2);
    }
}
