namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>Experiment get-or-create and run listing.</summary>
public sealed class ExperimentAndListTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FixedTimeProvider _clock = new(1_000);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void GetOrCreateIsIdempotentAndNamesAreDistinct()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        string first = store.GetOrCreateExperiment("alpha");
        string again = store.GetOrCreateExperiment("alpha");
        string other = store.GetOrCreateExperiment("beta");

        again.Should().Be(first);
        other.Should().NotBe(first);
        new MlflowFileStore(_temp.Path, _clock).GetOrCreateExperiment("alpha").Should().Be(first, "the name is found on disk by a new store");
        Directory.EnumerateDirectories(_temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo("0", first, other);
    }

    [Fact]
    public async System.Threading.Tasks.Task StoresStartingTogetherAgreeOnOneExperimentPerName()
    {
        // Each store stands for a sweep worker process: its in-process lock does not see the others.
        using var start = new System.Threading.Barrier(8);
        var ids = System.Linq.Enumerable.Range(0, 8)
            .Select(_ => System.Threading.Tasks.Task.Run(() =>
            {
                var store = new MlflowFileStore(_temp.Path, _clock);
                start.SignalAndWait();
                return store.GetOrCreateExperiment("sweep");
            }))
            .ToArray();
        var created = await System.Threading.Tasks.Task.WhenAll(ids);

        created.Distinct().Should().ContainSingle("one experiment, however many workers create it at once");
        new MlflowFileStore(_temp.Path, _clock).ListExperiments().Count(e => e.Value == "sweep").Should().Be(1);
    }

    [Fact]
    public void NamesAreCaseSensitive()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        store.GetOrCreateExperiment("Exp").Should().NotBe(store.GetOrCreateExperiment("exp"));
    }

    [Fact]
    public void ANameHeldByADeletedExperimentIsReported()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        string id = store.GetOrCreateExperiment("gone");
        Directory.CreateDirectory(Path.Combine(_temp.Path, ".trash"));
        Directory.Move(Path.Combine(_temp.Path, id), Path.Combine(_temp.Path, ".trash", id));

        var act = () => store.GetOrCreateExperiment("gone");

        act.Should().Throw<TrackingException>().WithMessage("*'gone'*deleted*")
            .Which.ErrorCode.Should().Be(TrackingErrorCodes.ResourceAlreadyExists);
    }

    [Fact]
    public void ExperimentsInTrashAndStrayFoldersAreSkippedWhenScanning()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "not-an-experiment"));
        var store = new MlflowFileStore(_temp.Path, _clock);

        store.GetOrCreateExperiment("fresh").Should().MatchRegex("^[0-9]{18}$");
    }

    [Fact]
    public void CreatingARunInAMissingExperimentFails()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        var act = () => store.CreateRun("12345", "r");

        act.Should().Throw<TrackingException>().Which.ErrorCode.Should().Be(TrackingErrorCodes.ResourceDoesNotExist);
    }

    [Fact]
    public void ListRunsReturnsActiveRunsNewestFirst()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        string experimentId = store.GetOrCreateExperiment("list");
        var first = store.CreateRun(experimentId, "first");
        _clock.NowMs = 2_000;
        var second = store.CreateRun(experimentId, "second");
        store.UpdateRun(second.RunId, RunStatus.Finished, 2_500);
        var elsewhere = store.CreateRun("0", "elsewhere");

        var runs = store.ListRuns(experimentId);

        runs.Should().Equal(second with { Status = RunStatus.Finished, EndTimeMs = 2_500 }, first);
        store.ListRuns("0").Should().Equal(elsewhere);
        new MlflowFileStore(_temp.Path, _clock).ListRuns(experimentId).Should().HaveCount(2);
    }

    [Fact]
    public void ListRunsSkipsReservedFoldersAndDeletedRuns()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        var kept = store.CreateRun("0", "kept");
        var deleted = store.CreateRun("0", "deleted");
        string metaPath = Path.Combine(_temp.Path, "0", deleted.RunId, "meta.yaml");
        File.WriteAllText(metaPath, File.ReadAllText(metaPath).Replace("lifecycle_stage: active", "lifecycle_stage: deleted", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "0", "tags"));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "0", "datasets", "abc"));

        store.ListRuns("0").Should().Equal(kept);
        var act = () => store.LogBatch(deleted.RunId, [new Metric("m", 1, 1, 0)], [], []);
        act.Should().Throw<TrackingException>().WithMessage("*active*").Which.ErrorCode.Should().Be(TrackingErrorCodes.InvalidState);
    }

    [Fact]
    public void ListRunsOfAMissingExperimentFails()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        var act = () => store.ListRuns("999");

        act.Should().Throw<TrackingException>().Which.ErrorCode.Should().Be(TrackingErrorCodes.ResourceDoesNotExist);
    }
}
