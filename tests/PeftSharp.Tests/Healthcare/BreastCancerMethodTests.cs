namespace PeftSharp.Tests.Healthcare;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using BreastCancerLora;
using FluentAssertions;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
using Xunit;

/// <summary>
/// CI smoke of the healthcare comparison on the real tumour data: the --method sweep (LoRA, full fine-tuning,
/// scratch, head) as an MLflow parent run with one child per method, each learning and beating chance.
/// </summary>
public sealed class BreastCancerMethodTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task The_method_sweep_records_one_child_per_method_that_learns_and_beats_chance()
    {
        var store = new MlflowFileStore(temp.File("mlruns"));
        var error = new StringWriter();

        var exitCode = await ExperimentRunner.RunAsync<BreastCancerOptions>(
            ["--sweep", "grid", "--learning-rate", "3e-3", "--rank", "4", "--pretrain-epochs", "10", "--epochs", "10", "--device", "cpu",
             "--data", temp.File("bc.parquet"), "--checkpoint-dir", temp.File("checkpoints")],
            BreastCancerExperiment.TrainAsync,
            [BreastCancerExperiment.PrepareData],
            new RunnerHost { Tracking = store, Output = TextWriter.Null, Error = error, HandleSignals = false });

        exitCode.Should().Be(0, error.ToString());
        var runs = store.ListRuns(store.FindExperimentId("breast-cancer-lora")!).Select(r => store.GetRun(r.RunId)).ToList();
        var parent = runs.Should().ContainSingle(r => !r.Tags.ContainsKey(SystemTags.ParentRunId)).Subject;
        var children = runs.Where(r => r.Tags.GetValueOrDefault(SystemTags.ParentRunId) == parent.Info.RunId).ToDictionary(r => r.Params["method"]);
        children.Keys.Should().BeEquivalentTo("Lora", "Full", "Scratch", "Head");
        children.Values.Should().OnlyContain(c => c.Info.Status == RunStatus.Finished);

        var total = long.Parse(children["Full"].Params["total_params"], System.Globalization.CultureInfo.InvariantCulture);
        children["Full"].Params["trainable_params"].Should().Be(children["Full"].Params["total_params"]);
        children["Scratch"].Params["trainable_params"].Should().Be(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        children["Head"].Params["trainable_params"].Should().Be("258", "the head is 128 x 2 weights and 2 biases");
        long.Parse(children["Lora"].Params["trainable_params"], System.Globalization.CultureInfo.InvariantCulture).Should().BeLessThan(total / 10);
        children["Lora"].Params.Should().ContainKeys("adapter.hidden1", "adapter.hidden2");
        children["Head"].Params.Should().NotContainKey("adapter.hidden1");

        foreach (var (method, run) in children)
        {
            run.LatestMetrics["test/roc_auc"].Value.Should().BeGreaterThan(0.9, $"{method} ranks malignant tumours far above chance (0.5)");
            run.LatestMetrics.Should().ContainKeys("test/accuracy", "test/roc_auc_before_adaptation", "time/step_ms", "memory/peak_rss_mb");
        }

        // Scratch starts from random weights: its site B loss must fall a lot within 10 epochs.
        var loss = store.GetMetricHistory(children["Scratch"].Info.RunId, "train/loss").Select(m => m.Value).ToList();
        loss.TakeLast(5).Average().Should().BeLessThan(loss.Take(5).Average() / 2);
    }

    [Fact]
    public async Task A_head_only_run_changes_only_the_head()
    {
        var store = new MlflowFileStore(temp.File("mlruns"));
        var result = await ExperimentRunner.TrainAsync(
            new BreastCancerOptions { DataPath = temp.File("bc.parquet"), Method = AdaptationMethod.Head, PretrainEpochs = 10, Epochs = 10 },
            BreastCancerExperiment.TrainAsync,
            new RunSettings { Device = "cpu", CheckpointDirectory = temp.File("checkpoints") },
            new RunnerHost { Tracking = store, Output = TextWriter.Null, HandleSignals = false });

        result.Status.Should().Be(RunStatus.Finished, result.Error);
        result.Value!.Method.Should().Be(AdaptationMethod.Head);
        result.Value.Parameters.Trainable.Should().Be(258);
        result.Value.SiteBRocAuc.Should().BeGreaterThan(0.9);
        Directory.Exists(Path.Combine(result.RunDirectory!, "artifacts", "adapter")).Should().BeFalse("only LoRA saves an adapter");
    }

    [Theory]
    [InlineData("569,30,malignant,benign\n1,2\n", "line 1 should read")]
    [InlineData("1,30,malignant,benign\n" + "x,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,0\n", "line 2, column 'mean_radius': 'x' is not a number")]
    [InlineData("1,30,malignant,benign\n" + "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,2\n", "line 2: label '2' is not 0 (malignant) or 1 (benign)")]
    [InlineData("1,30,malignant,benign\n1,2,3\n", "line 2 has 3 fields; expected 31")]
    public async Task Malformed_tumour_data_is_refused_naming_the_line(string csv, string expected)
    {
        var path = temp.File("bad.csv");
        await File.WriteAllTextAsync(path, csv);

        var convert = () => BreastCancerData.ConvertCsvToParquetAsync(path, temp.File("bad.parquet"));

        (await convert.Should().ThrowAsync<InvalidDataException>()).WithMessage($"*{expected}*");
        File.Exists(temp.File("bad.parquet")).Should().BeFalse();
    }

    [Fact]
    public async Task A_parquet_file_without_a_feature_column_is_refused_before_training()
    {
        var path = temp.File("partial.parquet");
        await PeftSharp.Data.ParquetTableWriter.WriteAsync(path, [new("mean_radius", new[] { 1.0 }), new("target", new long[] { 0 })]);
        var store = new MlflowFileStore(temp.File("mlruns"));

        var result = await ExperimentRunner.TrainAsync(
            new BreastCancerOptions { DataPath = path },
            BreastCancerExperiment.TrainAsync,
            new RunSettings { Device = "cpu", CheckpointDirectory = temp.File("checkpoints") },
            new RunnerHost { Tracking = store, Output = TextWriter.Null, Error = TextWriter.Null, HandleSignals = false });

        result.Status.Should().Be(RunStatus.Failed);
        result.Error.Should().Contain("Column 'mean_texture' not found").And.Contain("Columns present: mean_radius, target");
    }
}
