namespace PeftSharp.Tests.Finance;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CreditRiskLora.Data;
using FluentAssertions;
using PeftSharp.Data;
using PeftSharp.Tests.Data;
using Xunit;

/// <summary>Bad files and bad source data are refused before training, with the problem and the fix in the message.</summary>
public sealed class CreditDataValidationTests
{
    [Fact]
    public async Task A_harmonised_file_without_a_concept_column_names_it_and_the_columns_present()
    {
        using var directory = new TempDirectory();
        var path = directory.File("loans.parquet");
        await WriteAsync(path, HarmonisedSchema.FeatureNames.Where(n => n != "age"), [0, 1, 0]);
        var read = () => CreditTableFile.ReadAsync(path, "mine");
        (await read.Should().ThrowAsync<InvalidDataException>())
            .WithMessage("*lacks the harmonised column(s) age*Columns present: log_loan_amount, term_months*");
    }

    [Fact]
    public async Task Labels_must_be_zero_or_one_and_both_classes_present()
    {
        using var directory = new TempDirectory();
        var path = directory.File("loans.parquet");
        await WriteAsync(path, HarmonisedSchema.FeatureNames, [0, 2, 1]);
        var read = () => CreditTableFile.ReadAsync(path, "mine");
        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*row 1: label 'bad' is 2; it must be 0 (good) or 1 (bad)*");

        await WriteAsync(path, HarmonisedSchema.FeatureNames, [0, 0, 0]);
        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*only good loans*needs both classes*");
    }

    [Fact]
    public async Task A_text_concept_column_is_refused()
    {
        using var directory = new TempDirectory();
        var path = directory.File("loans.parquet");
        var raw = directory.File("raw.csv");
        var header = string.Join(",", HarmonisedSchema.FeatureNames.Append(HarmonisedSchema.Label));
        var row = string.Join(",", HarmonisedSchema.FeatureNames.Select(n => n == "age" ? "old" : "1").Append("1"));
        var other = string.Join(",", HarmonisedSchema.FeatureNames.Select(n => n == "age" ? "young" : "2").Append("0"));
        await File.WriteAllLinesAsync(raw, [header, row, other]);
        await PeftSharp.Data.Import.TableImporter.ImportAsync(raw, path);
        var read = () => CreditTableFile.ReadAsync(path, "mine");
        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*column 'age' must be numeric*");
    }

    [Fact]
    public async Task A_missing_or_corrupt_file_says_how_to_recreate_it()
    {
        using var directory = new TempDirectory();
        var missing = () => CreditTableFile.ReadAsync(directory.File("nothing.parquet"), "mine");
        (await missing.Should().ThrowAsync<FileNotFoundException>()).WithMessage("*prepare-data*");

        var corrupt = directory.File("corrupt.parquet");
        await File.WriteAllTextAsync(corrupt, "not parquet at all");
        var read = () => CreditTableFile.ReadAsync(corrupt, "mine");
        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*not a readable Parquet file*run prepare-data again*");
    }

    [Fact]
    public void A_source_without_an_expected_column_lists_the_columns_it_has()
    {
        var frame = new RawFrame("credit_data", new Dictionary<string, Array> { ["Status"] = new string?[] { "good" }, ["Amount"] = new[] { 100.0 } });
        var map = () => CreditSources.FromCreditData(frame);
        map.Should().Throw<InvalidDataException>().WithMessage("credit_data has no column 'Time'. Columns present: Status, Amount.");
    }

    [Fact]
    public void An_unknown_category_is_an_error_not_a_silent_mapping()
    {
        var frame = GermanRow(housing: "castle");
        var map = () => CreditSources.FromGermanCredit(frame);
        map.Should().Throw<InvalidDataException>().WithMessage("credit_g row 1: column 'housing' has 'castle'*Known: own, rent, for free.");

        var label = () => CreditSources.FromGermanCredit(GermanRow(label: "maybe"));
        label.Should().Throw<InvalidDataException>().WithMessage("*label column 'class' is 'maybe'; expected 'bad' or 'good'.");
    }

    [Fact]
    public void The_encoder_standardises_observed_values_and_flags_missing_ones()
    {
        var rows = 4;
        var columns = HarmonisedSchema.Features.Select(_ => Enumerable.Repeat(double.NaN, rows).ToArray()).ToArray();
        var age = HarmonisedSchema.IndexOf("age");
        columns[age] = [20, 40, double.NaN, 60];
        var table = new CreditTable("t", columns, [0, 1, 0, 1]);
        var encoder = CreditFeatureEncoder.Fit(table);

        // Observed ages 20, 40, 60: mean 40, population deviation sqrt(800/3).
        encoder.Mean(age).Should().Be(40);
        encoder.Deviation(age).Should().BeApproximately(Math.Sqrt(800.0 / 3), 1e-12);
        var encoded = encoder.Encode(table);
        encoded.FeatureCount.Should().Be(2 * HarmonisedSchema.Features.Count);
        var value = encoded.IndexOf("age");
        var flag = encoded.IndexOf("age_missing");
        encoded.Feature(0, value).Should().BeApproximately((float)(-20 / Math.Sqrt(800.0 / 3)), 1e-6f);
        encoded.Feature(2, value).Should().Be(0, "a missing value sits at the mean");
        encoded.Feature(2, flag).Should().Be(1);
        encoded.Feature(3, flag).Should().Be(0);

        // A concept the dataset never observes: 0 with its indicator set on every row.
        var rate = encoded.IndexOf("interest_rate");
        Enumerable.Range(0, rows).Should().OnlyContain(r => encoded.Feature(r, rate) == 0 && encoded.Feature(r, rate + 1) == 1);
        Enumerable.Range(0, rows).Select(r => encoded.Label(r)).Should().Equal(0, 1, 0, 1);
    }

    private static RawFrame GermanRow(string housing = "own", string label = "good") => new("credit_g", new Dictionary<string, Array>
    {
        ["checking_status"] = new string?[] { "<0" },
        ["duration"] = new[] { 6.0 },
        ["credit_history"] = new string?[] { "existing paid" },
        ["credit_amount"] = new[] { 1169.0 },
        ["savings_status"] = new string?[] { "<100" },
        ["employment"] = new string?[] { ">=7" },
        ["installment_commitment"] = new[] { 4.0 },
        ["age"] = new[] { 67.0 },
        ["housing"] = new string?[] { housing },
        ["existing_credits"] = new[] { 2.0 },
        ["class"] = new string?[] { label },
    });

    private static Task WriteAsync(string path, IEnumerable<string> features, long[] labels) =>
        ParquetTableWriter.WriteAsync(path, features.Select(n => new ColumnData(n, labels.Select(l => (double)l).ToArray())).Append(new ColumnData(HarmonisedSchema.Label, labels)).ToList());
}
