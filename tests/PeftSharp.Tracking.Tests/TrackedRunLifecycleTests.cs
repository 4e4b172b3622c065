namespace PeftSharp.Tracking.Tests;

using System;
using System.Collections.Generic;
using FluentAssertions;
using Xunit;

/// <summary>Child runs, outcome-based end status and the environment's experiment and run selection.</summary>
public sealed class TrackedRunLifecycleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Child_runs_point_to_their_parent_and_share_its_experiment()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        using var parent = TrackedRun.Start(store, "sweep", "sweep");

        using var child = parent.StartChild("trial-1");

        child.Info.ExperimentId.Should().Be(parent.Info.ExperimentId);
        store.GetRun(child.RunId).Tags.Should().Contain(SystemTags.ParentRunId, parent.RunId);
    }

    [Fact]
    public void The_outcome_decides_finished_killed_or_failed()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        var ok = TrackedRun.Start(store, "e", "ok");
        var cancelled = TrackedRun.Start(store, "e", "cancelled");
        var crashed = TrackedRun.Start(store, "e", "crashed");

        ok.EndFor(null);
        cancelled.EndFor(new OperationCanceledException());
        crashed.EndFor(new InvalidOperationException());

        store.GetRun(ok.RunId).Info.Status.Should().Be(RunStatus.Finished);
        store.GetRun(cancelled.RunId).Info.Status.Should().Be(RunStatus.Killed);
        store.GetRun(crashed.RunId).Info.Status.Should().Be(RunStatus.Failed);
        using var registration = ok.KillOnInterrupt();
    }

    [Fact]
    public void The_environment_picks_the_experiment_and_can_resume_a_run()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        var env = new Dictionary<string, string?> { ["MLFLOW_EXPERIMENT_NAME"] = "from-env" };

        var run = TrackedRun.StartFromEnvironment(store, "default-exp", "r", getVariable: n => env.GetValueOrDefault(n));
        run.LogParams([new("lr", "0.1")]);
        run.End(RunStatus.Failed);

        store.FindExperimentId("from-env").Should().Be(run.Info.ExperimentId);
        store.FindExperimentId("default-exp").Should().BeNull();

        env["MLFLOW_RUN_ID"] = run.RunId;
        var resumed = TrackedRun.StartFromEnvironment(store, "default-exp", "ignored", getVariable: n => env.GetValueOrDefault(n));
        resumed.RunId.Should().Be(run.RunId);
        store.GetRun(run.RunId).Info.Status.Should().Be(RunStatus.Running);
        resumed.LogParams([new("lr", "0.1")]);
        resumed.End(RunStatus.Finished);
    }

    [Fact]
    public void Git_remote_credentials_are_scrubbed()
    {
        SystemTags.ScrubCredentials("https://user:ghp_secret@github.com/org/repo.git").Should().Be("https://github.com/org/repo.git");
        SystemTags.ScrubCredentials("git@github.com:org/repo.git").Should().Be("git@github.com:org/repo.git");
    }
}
