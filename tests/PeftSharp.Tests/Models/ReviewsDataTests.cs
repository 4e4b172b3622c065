namespace PeftSharp.Tests.Models;

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Tests.Data;
using SentimentLora;
using SentimentLora.Data;
using PeftSharp.Training.Runner;
using Xunit;
using Xunit.Abstractions;

/// <summary>
/// The setup step end to end: apt-get download of r-cran-modeldata (cached in the experiment's ignored .cache
/// folder), the R lazy-load database read without R, Parquet written and read back.
/// </summary>
public sealed class ReviewsDataTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Prepare_data_writes_the_published_splits_as_Parquet()
    {
        var reason = DebianTestData.ReviewsUnavailable();
        Skip.If(reason is not null, reason);
        using var data = new TempDirectory();
        var log = new StringWriter();
        var watch = Stopwatch.StartNew();
        var (trainPath, testPath) = await ReviewsData.PrepareAsync(data.Path, SentimentExperiment.DefaultCacheDirectory, log);
        output.WriteLine($"prepare-data {watch.Elapsed.TotalSeconds:F1} s\n{log}");

        var train = await ReviewsData.ReadAsync(trainPath);
        var test = await ReviewsData.ReadAsync(testPath);
        train.Count.Should().Be(4000);
        train.GreatCount.Should().Be(2600);
        train.Labels.Count(l => l == 0).Should().Be(1400);
        test.Count.Should().Be(1000);
        test.GreatCount.Should().Be(658);
        test.Labels.Count(l => l == 0).Should().Be(342);

        train.Scores.Zip(train.Labels).Should().OnlyContain(p => (p.First == "great") == (p.Second == 1));
        train.Products.Intersect(test.Products).Should().BeEmpty("the test reviews are of other products");
        train.Reviews.Concat(test.Reviews).Should().OnlyContain(r => r.Length > 0 && !r.Contains("<br", StringComparison.OrdinalIgnoreCase));
        test.Reviews[0].Should().StartWith("These are the best tasting gummy fruits");

        // Idempotent: a second run keeps the files.
        var written = File.GetLastWriteTimeUtc(trainPath);
        await ReviewsData.PrepareAsync(data.Path, SentimentExperiment.DefaultCacheDirectory, TextWriter.Null);
        File.GetLastWriteTimeUtc(trainPath).Should().Be(written);
    }

    [Fact]
    public void Preprocessing_turns_html_line_breaks_into_spaces_and_nothing_else()
    {
        ReviewsData.Preprocess("Great!<br /><br />Buy it.<BR>Again<br/>  now ").Should().Be("Great! Buy it. Again now");
        ReviewsData.Preprocess("Caf\u00e9 & \"tea\"").Should().Be("Caf\u00e9 & \"tea\"");
    }

    [Fact]
    public async Task The_command_line_reports_unknown_commands_and_options()
    {
        var error = new StringWriter();
        var host = new RunnerHost { Output = TextWriter.Null, Error = error, HandleSignals = false };
        (await ExperimentRunner.RunAsync<SentimentOptions>(["train-everything"], SentimentRun.TrainAsync, [SentimentExperiment.PrepareData], host)).Should().Be(2);
        error.ToString().Should().Contain("Unknown command 'train-everything'").And.Contain("prepare-data");
        (await ExperimentRunner.RunAsync<SentimentOptions>(["prepare-data", "--bogus"], SentimentRun.TrainAsync, [SentimentExperiment.PrepareData], host)).Should().Be(2);
        error.ToString().Should().Contain("--bogus");
        (await ExperimentRunner.RunAsync<SentimentOptions>(["--method", "lorra"], SentimentRun.TrainAsync, [SentimentExperiment.PrepareData], host)).Should().Be(2);
        error.ToString().Should().Contain("--method").And.Contain("lorra");
    }
}
