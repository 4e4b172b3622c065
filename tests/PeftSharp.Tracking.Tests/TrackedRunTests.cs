namespace PeftSharp.Tracking.Tests;

using System;
using System.Collections.Generic;
using System.IO;
using FluentAssertions;
using Xunit;

/// <summary>The runner's wrapper: End is idempotent, Dispose without End marks the run FAILED.</summary>
public sealed class TrackedRunTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MlflowFileStore _store;

    public TrackedRunTests() => _store = new MlflowFileStore(_temp.Path);

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Meta(TrackedRun run) =>
        YamlLines.Map(Path.Combine(_temp.Path, run.Info.ExperimentId, run.RunId, "meta.yaml"));

    [Fact]
    public void DisposeWithoutEndMarksTheRunFailed()
    {
        TrackedRun run;
        using (run = TrackedRun.Start(_store, "exp", "crashed"))
        {
            Meta(run)["status"].Should().Be("1");
            Meta(run)["end_time"].Should().Be("null");
        }

        Meta(run)["status"].Should().Be("4");
        Meta(run)["end_time"].Should().MatchRegex("^[0-9]{13}$");
        run.Info.Status.Should().Be(RunStatus.Failed);
        run.IsEnded.Should().BeTrue();
    }

    [Fact]
    public void EndFinishedSetsStatus3AndEndTimeAndDisposeKeepsIt()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var run = TrackedRun.Start(_store, "exp", "ok", [new RunTag("k", "v")]);

        run.End(RunStatus.Finished);
        run.End(RunStatus.Killed);
        run.Dispose();

        Meta(run)["status"].Should().Be("3");
        long end = long.Parse(Meta(run)["end_time"], System.Globalization.CultureInfo.InvariantCulture);
        end.Should().BeInRange(before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        run.Info.Should().Be(_store.GetRun(run.RunId).Info);
        run.Info.EndTimeMs.Should().Be(end);
    }

    [Fact]
    public void LoggingGoesToTheRun()
    {
        using var run = TrackedRun.Start(_store, "exp", "logs");
        run.Client.Should().BeSameAs(_store);

        run.LogParams(new Dictionary<string, string> { ["lr"] = "0.1", ["r"] = "8" });
        run.LogParams(new Dictionary<string, string> { ["lr"] = "0.1" });
        run.LogMetric("train/loss", 0.5, 1);
        run.LogMetric("train/loss", 0.25, 2);
        run.LogMetrics(new Dictionary<string, double> { ["eval/acc"] = 0.9, ["eval/f1"] = 0.8 }, 2);
        run.SetTag("mlflow.note.content", "# notes");
        run.End(RunStatus.Finished);

        var record = _store.GetRun(run.RunId);
        record.Info.RunName.Should().Be("logs");
        record.Info.Status.Should().Be(RunStatus.Finished);
        record.Params.Should().Contain("lr", "0.1").And.Contain("r", "8");
        record.LatestMetrics["train/loss"].Value.Should().Be(0.25);
        record.LatestMetrics["eval/f1"].Step.Should().Be(2);
        record.Tags["mlflow.note.content"].Should().Be("# notes");
        _store.GetMetricHistory(run.RunId, "train/loss").Should().HaveCount(2);
        _store.ListRuns(run.Info.ExperimentId).Should().ContainSingle().Which.RunId.Should().Be(run.RunId);
    }

    [Fact]
    public void StartReusesTheExperimentByName()
    {
        using var first = TrackedRun.Start(_store, "shared", "a");
        using var second = TrackedRun.Start(_store, "shared", "b");

        second.Info.ExperimentId.Should().Be(first.Info.ExperimentId);
        second.RunId.Should().NotBe(first.RunId);
        first.End(RunStatus.Finished);
        second.End(RunStatus.Finished);
    }
}
