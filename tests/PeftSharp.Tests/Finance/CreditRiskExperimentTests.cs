namespace PeftSharp.Tests.Finance;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CreditRiskLora;
using CreditRiskLora.Data;
using FluentAssertions;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
using Xunit;

/// <summary>
/// CI smoke of the experiment on the real data (credit_data to German credit, few epochs, a subset of the target's
/// training loans): it trains through the runner, the loss falls, the adapted model ranks bad loans better than
/// chance, and runs and sweeps are recorded.
/// </summary>
[Collection(CreditDataTestGroup.Name)]
public sealed class CreditRiskExperimentTests(CreditDataFixture data) : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [SkippableFact]
    public async Task A_lora_run_learns_beats_chance_and_is_recorded()
    {
        Skip.If(data.SkipReason is not null, data.SkipReason);
        var store = new MlflowFileStore(temp.File("mlruns"));
        var output = new StringWriter();

        var result = await ExperimentRunner.TrainAsync(
            SmallRun(AdaptationMethod.Lora),
            CreditRiskExperiment.TrainAsync,
            new RunSettings { Device = "cpu", CheckpointDirectory = temp.File("checkpoints") },
            new RunnerHost { Tracking = store, Output = output, HandleSignals = false });

        result.Status.Should().Be(RunStatus.Finished, result.Error);
        var value = result.Value!;
        value.Test.RocAuc.Should().BeGreaterThan(0.6, "chance is 0.5");
        value.Test.PrAuc.Should().BeGreaterThan(value.Test.BadRate, "chance PR AUC is the bad rate");
        value.Parameters.TrainablePercent.Should().BeLessThan(10);
        var pretrainLoss = store.GetMetricHistory(result.RunId, "pretrain/loss").Select(m => m.Value).ToList();
        pretrainLoss.Should().HaveCountGreaterThan(20);
        pretrainLoss.TakeLast(10).Average().Should().BeLessThan(pretrainLoss.Take(10).Average(), "the loss falls");
        var run = store.GetRun(result.RunId);
        run.Params.Should().Contain("method", "Lora").And.Contain("source", "credit_data").And.Contain("target", "credit_g")
            .And.ContainKeys("trainable_params", "adapter.hidden1", "adapter.hidden2", "dataset.credit_data.digest", "dataset.credit_g.digest", "split.target_test");
        run.LatestMetrics.Should().ContainKeys(
            "test/roc_auc", "test/pr_auc", "test/recall_at_precision", "test/accuracy", "before/test_roc_auc", "pretrain/source_validation_roc_auc",
            "eval/roc_auc", "time/step_ms", "memory/peak_rss_mb");
        Directory.GetFiles(Path.Combine(result.RunDirectory!, "artifacts", "adapter")).Select(Path.GetFileName)
            .Should().BeEquivalentTo("adapter_config.json", "adapter_model.safetensors");
        output.ToString().Should().Contain("before adaptation: ROC AUC").And.Contain("after adaptation:  ROC AUC");
    }

    [SkippableFact]
    public async Task The_method_sweep_pretrains_once_records_one_child_per_method_and_prints_the_verdict()
    {
        Skip.If(data.SkipReason is not null, data.SkipReason);
        var output = new StringWriter();
        var error = new StringWriter();
        var store = new MlflowFileStore(temp.File("mlruns"));

        var exitCode = await CreditRiskExperiment.MainAsync(
            ["--sweep", "grid", "--seed", "3", "--pretrain-epochs", "3", "--epochs", "4", "--target-train-rows", "200", "--device", "cpu",
             "--data-dir", data.DataDirectory, "--checkpoint-dir", temp.File("checkpoints")],
            new RunnerHost { Tracking = store, Output = output, Error = error, HandleSignals = false });

        exitCode.Should().Be(0, error.ToString());
        var runs = store.ListRuns(store.FindExperimentId("credit-risk-lora")!).Select(r => store.GetRun(r.RunId)).ToList();
        var parent = runs.Should().ContainSingle(r => !r.Tags.ContainsKey(SystemTags.ParentRunId)).Subject;
        var children = runs.Where(r => r.Tags.GetValueOrDefault(SystemTags.ParentRunId) == parent.Info.RunId).ToList();
        children.Select(c => c.Params["method"]).Should().BeEquivalentTo("Lora", "Full", "Scratch", "Head");
        children.Should().OnlyContain(c => c.Info.Status == RunStatus.Finished && c.Params["seed"] == "3");
        children.Select(c => c.LatestMetrics["before/test_roc_auc"].Value).Distinct().Should().ContainSingle("every method starts from the same pretrained base");
        output.ToString().Split("Pretraining on").Should().HaveCount(2, "the base is pretrained once for the four methods");
        output.ToString().Should().Contain("| pretrained, not adapted |").And.Contain("| Lora |").And.Contain("| Scratch |")
            .And.Contain("LoRA - full fine-tuning, test ROC AUC paired by seed");
    }

    [Fact]
    public async Task The_same_dataset_as_source_and_target_is_refused()
    {
        var error = new StringWriter();

        var exitCode = await CreditRiskExperiment.MainAsync(
            ["--source", "credit_g", "--target", "credit_g", "--data-dir", temp.Path],
            new RunnerHost { Tracking = new MlflowFileStore(temp.File("mlruns")), Output = TextWriter.Null, Error = error, HandleSignals = false });

        exitCode.Should().Be(1);
        error.ToString().Should().Contain("--source and --target are both 'credit_g'");
    }

    [Fact]
    public async Task An_unknown_dataset_names_the_valid_ones()
    {
        var error = new StringWriter();

        var exitCode = await CreditRiskExperiment.MainAsync(["--target", "credit_card"], new RunnerHost { Output = TextWriter.Null, Error = error, HandleSignals = false });

        exitCode.Should().Be(2);
        error.ToString().Should().Contain("--target").And.Contain("lending_club").And.Contain("credit_data").And.Contain("credit_g");
    }

    private CreditRiskOptions SmallRun(AdaptationMethod method) => new()
    {
        DataDir = data.DataDirectory,
        Method = method,
        Seed = 2,
        PretrainEpochs = 4,
        Epochs = 6,
        TargetTrainRows = 200,
    };
}
