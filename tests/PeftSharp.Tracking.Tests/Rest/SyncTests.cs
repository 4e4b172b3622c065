namespace PeftSharp.Tracking.Tests.Rest;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Tracking.Tests.Fake;
using Xunit;

/// <summary>sync: a local store pushed to a server, twice, without duplicates.</summary>
public sealed class SyncTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private FakeMlflowServer _server = null!;

    public async Task InitializeAsync() => _server = await FastOptions.StartServerAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_file_store_is_pushed_once_and_a_second_sync_only_adds_what_is_new()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        var run = TrackedRun.Start(store, "local-exp", "r1");
        run.LogParams([new("lr", "0.1")]);
        for (int step = 0; step < 1200; step++)
        {
            run.LogMetric("loss", step == 7 ? double.PositiveInfinity : 1.0 / (step + 1), step);
        }

        run.LogInputs(new DatasetInput("wdbc", "0123456789abcdef0123456789abcdef", "local", "{\"uri\": \"wdbc.parquet\"}"));
        File.WriteAllText(Path.Combine(store.GetArtifactDirectory(run.RunId), "notes.txt"), "hello");
        run.End(RunStatus.Finished);
        var env = new Dictionary<string, string?> { ["MLFLOW_TRACKING_URI"] = _server.Uri, ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "1" };
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = await TrackingCommands.RunAsync("sync", ["--from", store.RootDirectory], output, error, n => env.GetValueOrDefault(n));

        code.Should().Be(0, error.ToString());
        var remote = _server.Runs.Values.Single();
        _server.Experiments[remote.ExperimentId].Name.Should().Be("local-exp");
        remote.Metrics.Should().Equal(store.GetMetricHistory(run.RunId, "loss"));
        remote.Params.Should().Contain("lr", "0.1");
        remote.Tags.Should().Contain(StoreSync.SourceRunTag, run.RunId);
        remote.Status.Should().Be("FINISHED");
        remote.StartTime.Should().Be(run.Info.StartTimeMs);
        remote.Inputs.Should().ContainSingle();
        _server.Artifacts.Keys.Should().ContainSingle().Which.Should().EndWith("/artifacts/notes.txt");

        // More points locally, sync again: only the new ones go.
        store.LogBatch(run.RunId, [new Metric("loss", 0.001, 5, 5000)], [], []);
        (await TrackingCommands.RunAsync("sync", ["--from", store.RootDirectory], output, error, n => env.GetValueOrDefault(n))).Should().Be(0);
        _server.Runs.Should().HaveCount(1);
        _server.Runs.Values.Single().Metrics.Should().HaveCount(1201);
        output.ToString().Should().Contain("1 new metric points");
    }

    [Fact]
    public async Task Sync_without_a_server_says_what_is_missing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        (await TrackingCommands.RunAsync("sync", [], output, error, _ => null)).Should().Be(2);

        error.ToString().Should().Contain("sync needs a server");
        using var help = new StringWriter();
        (await TrackingCommands.RunAsync("sync", ["--help"], help, error, _ => null)).Should().Be(0);
        help.ToString().Should().Contain("sync --spool");
    }
}
