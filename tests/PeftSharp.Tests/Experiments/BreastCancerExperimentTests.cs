namespace PeftSharp.Tests.Experiments;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BreastCancerLora;
using FluentAssertions;
using PeftSharp.Data;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
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

        var result = await Train(store, output);

        result.Status.Should().Be(RunStatus.Finished, result.Error);
        result.Value!.SiteBAfter.Accuracy.Should().BeGreaterThan(0.85);
        result.Value.Parameters.TrainablePercent.Should().BeLessThan(50);
        var run = store.GetRun(result.RunId);
        run.Info.Status.Should().Be(RunStatus.Finished);
        run.Params.Should().Contain("seed", "42").And.Contain("method", "Lora")
            .And.ContainKeys("trainable_params", "total_params", "adapter.hidden1", "dataset.breast_cancer.digest");
        run.LatestMetrics.Should().ContainKeys("pretrain/loss", "train/loss", "test/accuracy", "time/step_ms", "time/train_s");
        run.Tags.Should().ContainKeys("peftsharp.env.dotnet", "peftsharp.env.torchsharp", "peftsharp.env.libtorch", "peftsharp.env.cpu");
        Directory.GetFiles(Path.Combine(result.RunDirectory!, "artifacts", "adapter")).Select(Path.GetFileName)
            .Should().BeEquivalentTo("adapter_config.json", "adapter_model.safetensors");
        store.GetMetricHistory(result.RunId, "train/loss").Select(m => m.Step).Should().BeInAscendingOrder().And.HaveCountGreaterThan(5);
        File.ReadAllText(Path.Combine(result.RunDirectory!, "meta.yaml")).Should().Contain("status: 3");
        output.ToString().Should().Contain(result.RunId).And.Contain("mlflow ui --backend-store-uri");
    }

    [Fact]
    public async Task Two_runs_with_the_same_seed_log_identical_metrics()
    {
        var store = new MlflowFileStore(temp.File("mlruns"));

        var first = await Train(store, TextWriter.Null);
        var second = await Train(store, TextWriter.Null);

        store.GetMetricHistory(second.RunId, "train/loss").Select(m => (m.Step, m.Value))
            .Should().Equal(store.GetMetricHistory(first.RunId, "train/loss").Select(m => (m.Step, m.Value)));
        second.Value!.SiteBAfter.Should().Be(first.Value!.SiteBAfter);
    }

    [Fact]
    public async Task An_unknown_option_is_named_with_the_valid_ones()
    {
        var error = new StringWriter();

        var exitCode = await Main(["--ranks", "4"], TextWriter.Null, error);

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("--ranks").And.Contain("--rank");
    }

    [Fact]
    public async Task A_bfloat16_frozen_base_trains_the_float32_adapters_about_as_well()
    {
        var store = new MlflowFileStore(temp.File("mlruns"));
        var output = new StringWriter();

        var full = await Train(store, TextWriter.Null);
        var half = await Train(store, output, "bfloat16");

        half.Status.Should().Be(RunStatus.Finished, half.Error);
        store.GetRun(half.RunId).Params.Should().Contain("base_dtype", "bfloat16");
        store.GetRun(full.RunId).Params.Should().Contain("base_dtype", "float32");
        // hidden1 and hidden2 (30x128 and 128x128 with biases) are frozen under LoRA; the head trains in float32.
        output.ToString().Should().Contain("frozen base in bfloat16: 20,480 parameters, 0.1 MiB -> 0.0 MiB; trainable parameters stay float32");
        half.Value!.SiteBAfter.Accuracy.Should().BeApproximately(full.Value!.SiteBAfter.Accuracy, 0.05);
        half.Value.Parameters.Trainable.Should().Be(full.Value.Parameters.Trainable);
    }

    [Fact]
    public async Task An_unknown_base_dtype_names_the_valid_ones()
    {
        var error = new StringWriter();

        var exitCode = await Main(["--base-dtype", "fp16"], TextWriter.Null, error);

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("--base-dtype must be float32 or bfloat16, got 'fp16'");
    }

    [Fact]
    public async Task An_out_of_range_value_names_the_option_and_the_range()
    {
        var error = new StringWriter();

        var exitCode = await Main(["--dropout", "1.5"], TextWriter.Null, error);

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("--dropout").And.Contain("got '1.5'").And.Contain("must be from 0 to 0.999999");
    }

    [Fact]
    public async Task An_unknown_command_exits_2_naming_the_valid_commands()
    {
        var error = new StringWriter();

        var exitCode = await Main(["prepare-date"], TextWriter.Null, error);

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("'prepare-date'").And.Contain("prepare-data").And.Contain("compare").And.Contain("resume");
    }

    [Fact]
    public async Task Help_lists_commands_hyperparameters_and_runner_options()
    {
        var output = new StringWriter();

        var exitCode = await Main(["--help"], output, TextWriter.Null);

        exitCode.Should().Be(0);
        output.ToString().Should().Contain("prepare-data").And.Contain("--rank <int?>").And.Contain("--device <string>").And.Contain("--resume <path>");
    }

    [Fact]
    public async Task Prepare_data_binds_the_options_and_writes_the_parquet_file()
    {
        var output = new StringWriter();

        var exitCode = await Main(["prepare-data", "--data", temp.File("out.parquet")], output, TextWriter.Null);

        exitCode.Should().Be(0);
        File.Exists(temp.File("out.parquet")).Should().BeTrue();
        output.ToString().Should().Contain("Wrote");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_grid_sweep_records_a_parent_run_with_one_child_per_trial(int workers)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await Main(
            ["--sweep", "grid", "--rank", "2", "--method", "lora", "--epochs", "1", "--pretrain-epochs", "1", "--device", "cpu",
             "--data", temp.File("bc.parquet"), "--checkpoint-dir", temp.File("checkpoints"), "--workers", workers.ToString(CultureInfo.InvariantCulture)],
            output,
            error);

        exitCode.Should().Be(0, error.ToString());
        var store = new MlflowFileStore(temp.File("mlruns"));
        var runs = store.ListRuns(store.FindExperimentId("breast-cancer-lora")!).Select(r => store.GetRun(r.RunId)).ToList();
        var parent = runs.Should().ContainSingle(r => !r.Tags.ContainsKey(SystemTags.ParentRunId)).Subject;
        parent.Info.RunName.Should().Be("breast-cancer-lora-grid-sweep");
        parent.Info.Status.Should().Be(RunStatus.Finished);
        var children = runs.Where(r => r.Tags.GetValueOrDefault(SystemTags.ParentRunId) == parent.Info.RunId).ToList();
        children.Should().HaveCount(3, "the learning rate sweeps over 3 values; --rank and --method are fixed on the command line");
        children.Select(c => c.Params["learning_rate"]).Should().BeEquivalentTo("0.001", "0.003", "0.01");
        children.Should().OnlyContain(c => c.Params["rank"] == "2" && c.Info.Status == RunStatus.Finished);
        children.Select(c => c.Info.RunName).Should().OnlyHaveUniqueItems();
        Directory.GetDirectories(temp.File("checkpoints")).Should().HaveCount(3, "each trial checkpoints into its own folder");
        if (workers > 1)
        {
            output.ToString().Should().Contain("[trial-01-learning-rate=1e-3] Adapting to site B", "trials run in worker processes whose output is prefixed")
                .And.Contain("[trial-03-learning-rate=1e-2] exited with code 0");
        }
    }

    [Fact]
    public async Task Reproduce_matches_an_identical_rerun_and_refuses_changed_data()
    {
        var data = temp.File("bc.parquet");
        string[] run = ["--epochs", "2", "--pretrain-epochs", "2", "--device", "cpu", "--data", data, "--checkpoint-dir", temp.File("a")];
        (await Main(run, TextWriter.Null, TextWriter.Null)).Should().Be(0);
        var store = new MlflowFileStore(temp.File("mlruns"));
        var runId = store.ListRuns(store.FindExperimentId("breast-cancer-lora")!).Single().RunId;

        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await Main(["reproduce", runId, "--checkpoint-dir", temp.File("b")], output, error);

        exitCode.Should().Be(0, output + "\n" + error);
        output.ToString().Should().MatchRegex(@"\ntrain step 8/8 \(100%\) ETA 0:00 loss \d+\.\d{4} [\d,]+ samples/s", "progress goes to redirected output as plain lines")
            .And.NotContain("\r");
        output.ToString().Should().Contain("--learning-rate 0.003").And.Contain("--seed 42")
            .And.MatchRegex(@"match +train/loss: 8 point\(s\)")
            .And.Contain("match     test/accuracy")
            .And.Contain($"Reproduced: all ").And.Contain($"metrics of run {runId} match exactly");
        var rerun = store.ListRuns(store.FindExperimentId("breast-cancer-lora")!).Single(r => r.RunId != runId);
        store.GetRun(rerun.RunId).Tags.Should().Contain(RunNames.ReproducesTag, runId);

        // One changed measurement in the data file: the digest check stops the rerun before it trains.
        var csv = File.ReadAllLines(BreastCancerData.BundledCsv);
        csv[1] = "18.0" + csv[1][csv[1].IndexOf(',', StringComparison.Ordinal)..];
        File.WriteAllLines(temp.File("changed.csv"), csv);
        await BreastCancerData.ConvertCsvToParquetAsync(temp.File("changed.csv"), data);
        output = new StringWriter();
        error = new StringWriter();

        exitCode = await Main(["reproduce", runId, "--checkpoint-dir", temp.File("c")], output, error);

        exitCode.Should().Be(1);
        error.ToString().Should().Contain("Dataset 'breast_cancer'").And.Contain($"but run {runId} used").And.Contain("changed");
        output.ToString().Should().Contain("Not reproduced");
    }

    [Fact]
    public async Task Resume_given_only_the_checkpoint_reads_the_options_from_the_record_and_ends_like_the_run()
    {
        var data = temp.File("bc.parquet");
        string[] run = ["--epochs", "3", "--pretrain-epochs", "2", "--learning-rate", "0.005", "--device", "cpu", "--data", data,
            "--checkpoint-dir", temp.File("a"), "--checkpoint-every", "4"];
        (await Main(run, TextWriter.Null, TextWriter.Null)).Should().Be(0);
        var store = new MlflowFileStore(temp.File("mlruns"));
        var experimentId = store.FindExperimentId("breast-cancer-lora")!;
        var original = store.ListRuns(experimentId).Single().RunId;
        var earliest = Directory.GetDirectories(temp.File("a"), "step-*").Order(StringComparer.Ordinal).First();
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await Main(["resume", earliest], output, error);

        exitCode.Should().Be(0, output + "\n" + error);
        output.ToString().Should().Contain($"Resuming run {original}").And.Contain("--learning-rate 0.005").And.Contain("--epochs 3");
        var resumed = store.ListRuns(experimentId).Single(r => r.RunId != original).RunId;
        store.GetRun(resumed).Tags.Should().ContainKey(RunNames.ResumedFromTag);
        store.GetRun(resumed).LatestMetrics["test/accuracy"].Value.Should().Be(
            store.GetRun(original).LatestMetrics["test/accuracy"].Value, "resuming continues the recorded run exactly");

        File.Delete(Path.Combine(temp.File("a"), CheckpointRunFile.FileName));
        error = new StringWriter();
        (await Main(["resume", earliest], TextWriter.Null, error)).Should().Be(ExperimentRunner.FailureExitCode);
        error.ToString().Should().Contain("cannot read the options").And.Contain($"resume {earliest} [the run's options]");
    }

    private Task<RunResult<BreastCancerResult>> Train(ITrackingClient store, TextWriter output, string baseDtype = "float32") =>
        ExperimentRunner.TrainAsync(
            new BreastCancerOptions { DataPath = temp.File("bc.parquet"), PretrainEpochs = 30, Epochs = 30 },
            BreastCancerExperiment.TrainAsync,
            new RunSettings { Device = "cpu", CheckpointDirectory = temp.File("checkpoints"), BaseDtype = baseDtype },
            new RunnerHost { Tracking = store, Output = output, HandleSignals = false });

    private Task<int> Main(string[] args, TextWriter output, TextWriter error) =>
        ExperimentRunner.RunAsync<BreastCancerOptions>(
            args, BreastCancerExperiment.TrainAsync, [BreastCancerExperiment.PrepareData],
            new RunnerHost
            {
                Output = output,
                Error = error,
                Tracking = new MlflowFileStore(temp.File("mlruns")),
                HandleSignals = false,
                ProgressInterval = TimeSpan.Zero,
                WorkerCommand = ("dotnet", [Path.Combine(AppContext.BaseDirectory, "BreastCancerLora.dll")]),
            });
}
