namespace PeftSharp.Tests.Experiments;

using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BreastCancerLora;
using FluentAssertions;
using PeftSharp.Data;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using Xunit;

/// <summary>The shipped experiment, run end to end on the real data into a real mlruns/ store.</summary>
public sealed class BreastCancerExperimentTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task The_bundled_csv_converts_to_the_documented_parquet_table()
    {
        var path = temp.File("bc.parquet");

        await BreastCancerData.ConvertCsvToParquetAsync(BreastCancerData.BundledCsv, path);
        var data = await ParquetTabularReader.ReadAsync(path, BreastCancerData.Columns);

        data.Count.Should().Be(569);
        data.FeatureCount.Should().Be(30);
        Enumerable.Range(0, data.Count).Count(r => data.Label(r) == 0).Should().Be(212, "212 tumours are malignant");
        data.Feature(0, data.IndexOf("mean_radius")).Should().Be(17.99f);
        data.Feature(0, data.IndexOf("worst_fractal_dimension")).Should().Be(0.1189f);
    }

    [Fact]
    public async Task A_run_trains_adapts_and_is_recorded_as_finished()
    {
        var store = new MlflowFileStore(temp.File("mlruns"));
        var output = new StringWriter();

        var result = await BreastCancerExperiment.RunAsync(FastOptions(), store, output);

        result.SiteBAfter.Accuracy.Should().BeGreaterThan(0.85);
        result.Parameters.TrainablePercent.Should().BeLessThan(50);
        var run = store.GetRun(result.RunId);
        run.Info.Status.Should().Be(RunStatus.Finished);
        run.Params.Should().Contain("seed", "42").And.ContainKeys("trainable_params", "adapter.hidden1", "dataset.digest");
        run.LatestMetrics.Should().ContainKeys("pretrain/loss", "train/loss", "test/accuracy");
        store.GetMetricHistory(result.RunId, "train/loss").Select(m => m.Step).Should().BeInAscendingOrder().And.HaveCountGreaterThan(5);
        File.ReadAllText(Path.Combine(result.RunDirectory!, "meta.yaml")).Should().Contain("status: 3");
        output.ToString().Should().Contain(result.RunId).And.Contain("mlflow ui --backend-store-uri");
    }

    [Fact]
    public async Task Two_runs_with_the_same_seed_log_identical_metrics()
    {
        var store = new MlflowFileStore(temp.File("mlruns"));

        var first = await BreastCancerExperiment.RunAsync(FastOptions(), store, TextWriter.Null);
        var second = await BreastCancerExperiment.RunAsync(FastOptions(), store, TextWriter.Null);

        store.GetMetricHistory(second.RunId, "train/loss").Select(m => (m.Step, m.Value))
            .Should().Equal(store.GetMetricHistory(first.RunId, "train/loss").Select(m => (m.Step, m.Value)));
        second.SiteBAfter.Should().Be(first.SiteBAfter);
    }

    [Fact]
    public async Task An_unknown_option_is_named_with_the_valid_ones()
    {
        var error = new StringWriter();

        var exitCode = await BreastCancerExperiment.MainAsync(["--ranks", "4"], TextWriter.Null, error);

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("--ranks").And.Contain("--rank");
    }

    [Fact]
    public async Task An_out_of_range_value_names_the_option_and_the_range()
    {
        var error = new StringWriter();

        var exitCode = await BreastCancerExperiment.MainAsync(["--dropout", "1.5"], TextWriter.Null, error);

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("--dropout").And.Contain("got '1.5'").And.Contain("must be from 0 to 0.999999");
    }

    private BreastCancerOptions FastOptions() => new()
    {
        DataPath = temp.File("bc.parquet"),
        Device = "cpu",
        PretrainEpochs = 30,
        Epochs = 30,
    };
}
