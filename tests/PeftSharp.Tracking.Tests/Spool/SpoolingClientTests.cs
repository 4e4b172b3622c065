namespace PeftSharp.Tracking.Tests.Spool;

using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Tracking.Tests.Fake;
using Xunit;

/// <summary>The offline-tolerant client: training never waits, nothing is lost, nothing is duplicated.</summary>
public sealed class SpoolingClientTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ConcurrentQueue<string> _log = new();
    private FakeMlflowServer _server = null!;

    public async Task InitializeAsync() => _server = await FastOptions.StartServerAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_online_run_is_delivered_finished_and_its_spool_removed()
    {
        using var client = NewClient();
        var run = TrackedRun.Start(client, "spool-online", "r1");
        run.LogParams([new("lr", "0.01")]);
        for (int step = 0; step < 300; step++)
        {
            run.LogMetric("train/loss", 1.0 / (step + 1), step);
        }

        run.End(RunStatus.Finished);

        var remote = _server.Run(run.RunId);
        remote.Status.Should().Be("FINISHED");
        remote.EndTime.Should().NotBeNull();
        remote.Metrics.Select(m => m.Step).Should().Equal(Enumerable.Range(0, 300).Select(i => (long)i));
        remote.Params.Should().Contain("lr", "0.01");
        remote.Tags.Should().ContainKey(SpoolingTrackingClient.SpoolIdTag);
        Directory.EnumerateDirectories(client.SpoolDirectory).Should().BeEmpty();

        // Batching: 300 points in far fewer requests than points.
        _server.LogBatchRequests.Should().BeLessThan(100);
    }

    [Fact]
    public async Task A_server_that_disappears_mid_run_and_comes_back_gets_every_metric_exactly_once()
    {
        using var client = NewClient();
        var run = TrackedRun.Start(client, "flaky", "r1");
        for (int step = 0; step < 500; step++)
        {
            run.LogMetric("loss", step, step);
        }

        client.Flush(TimeSpan.FromSeconds(10)).Should().BeTrue();
        await _server.StopAsync();

        // Training goes on: logging while the server is down returns at once.
        var watch = Stopwatch.StartNew();
        for (int step = 500; step < 1500; step++)
        {
            run.LogMetric("loss", step, step);
            run.LogMetric("acc", step / 1500.0, step);
        }

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        await Task.Delay(300);
        client.IsOffline.Should().BeTrue();
        client.PendingRecords.Should().BeGreaterThan(0);

        await _server.RestartAsync();
        for (int step = 1500; step < 2000; step++)
        {
            run.LogMetric("loss", step, step);
        }

        run.End(RunStatus.Finished);

        var remote = _server.Run(run.RunId);
        remote.Metrics.Where(m => m.Key == "loss").Select(m => m.Step).Should().Equal(Enumerable.Range(0, 2000).Select(i => (long)i));
        remote.Metrics.Count(m => m.Key == "acc").Should().Be(1000);
        remote.Status.Should().Be("FINISHED");
        _log.Should().Contain(m => m.Contains("Training goes on", StringComparison.Ordinal));
    }

    [Fact]
    public void Lost_answers_during_delivery_are_reconciled_without_duplicates()
    {
        using var client = NewClient();
        var run = TrackedRun.Start(client, "lost-answers", "r1");
        for (int i = 0; i < 3; i++)
        {
            _server.Faults.Enqueue(new FakeFault("runs/log-batch", ApplyThenDrop: true));
        }

        _server.Faults.Enqueue(new FakeFault("runs/log-batch", 500));
        for (int step = 0; step < 3000; step++)
        {
            run.LogMetric("loss", step * 0.5, step);
            if (step % 100 == 0)
            {
                run.SetTag("progress", step.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        run.End(RunStatus.Finished);

        var remote = _server.Run(run.RunId);
        remote.Metrics.Select(m => m.Step).Should().Equal(Enumerable.Range(0, 3000).Select(i => (long)i), string.Join("\n", _log));
        remote.Tags["progress"].Should().Be("2900");
    }

    [Fact]
    public async Task A_run_started_while_the_server_is_down_is_delivered_later_by_sync()
    {
        await _server.StopAsync();
        string spoolDirectory;
        using (var client = NewClient())
        {
            var run = TrackedRun.Start(client, "offline-start", "r-offline");
            run.Info.ExperimentId.Should().Be("offline:offline-start");
            run.LogParams([new("seed", "7")]);
            run.LogInputs(new DatasetInput("wdbc", "abcdef0123456789abcdef0123456789", "local", "{\"uri\": \"x\"}"));
            for (int step = 0; step < 100; step++)
            {
                run.LogMetric("loss", double.NaN, step);
            }

            var watch = Stopwatch.StartNew();
            run.End(RunStatus.Killed);
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
            spoolDirectory = client.SpoolDirectory;
        }

        Directory.EnumerateDirectories(spoolDirectory).Should().ContainSingle();
        await _server.RestartAsync();
        using var output = new StringWriter();
        var server = new MlflowRestClient(FastOptions.Rest(_server.Uri));

        var (delivered, left) = await SpoolingTrackingClient.DeliverPendingAsync(server, spoolDirectory, output);

        (delivered, left).Should().Be((1, 0));
        var remote = _server.Runs.Values.Single();
        _server.Experiments[remote.ExperimentId].Name.Should().Be("offline-start");
        remote.Name.Should().Be("r-offline");
        remote.Status.Should().Be("KILLED");
        remote.Params.Should().Contain("seed", "7");
        remote.Inputs.Should().ContainSingle();
        remote.Metrics.Should().HaveCount(100).And.OnlyContain(m => double.IsNaN(m.Value));
        Directory.EnumerateDirectories(spoolDirectory).Should().BeEmpty();

        // A second sync finds nothing to do.
        (await SpoolingTrackingClient.DeliverPendingAsync(server, spoolDirectory, output)).Should().Be((0, 0));
        _server.Runs.Should().HaveCount(1);
    }

    [Fact]
    public void A_param_the_server_refuses_is_set_aside_and_the_rest_delivered()
    {
        using var client = NewClient();
        var run = TrackedRun.Start(client, "refused", "r1");
        _server.Run(run.RunId).Params["lr"] = "0.5";
        run.LogParams([new("lr", "0.1")]);
        run.LogMetric("loss", 1, 0);

        var change = () => run.LogParams([new("lr", "0.2")]);
        change.Should().Throw<TrackingException>().WithMessage("Changing param values is not allowed*");

        run.LogMetric("loss", 2, 1);
        run.End(RunStatus.Finished);

        var remote = _server.Run(run.RunId);
        remote.Params["lr"].Should().Be("0.5");
        remote.Status.Should().Be("FINISHED");
        remote.Metrics.Select(m => m.Value).Should().Equal(1.0, 2.0);
        _log.Should().Contain(m => m.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Credentials_never_reach_spool_files_or_log_messages()
    {
        await _server.StopAsync();
        var options = FastOptions.Rest(_server.Uri.Replace("http://", "http://carol:pw-in-uri@", StringComparison.Ordinal));
        options.Token = "token-value";
        using (var client = new SpoolingTrackingClient(new MlflowRestClient(options), FastOptions.Spool(_temp.Combine("spool"), _log)))
        {
            var run = TrackedRun.Start(client, "secret", "r1");
            run.LogMetric("m", 1, 0);
            run.End(RunStatus.Finished);
        }

        foreach (string file in Directory.EnumerateFiles(_temp.Combine("spool"), "*", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            text.Should().NotContain("pw-in-uri").And.NotContain("token-value").And.NotContain("carol");
        }

        string.Join('\n', _log).Should().NotContain("pw-in-uri").And.NotContain("token-value").And.NotContain("carol");
        await _server.RestartAsync();
    }

    [Fact]
    public void A_crash_mid_journal_leaves_a_readable_spool()
    {
        string spoolRoot = _temp.Combine("crash");
        string directory;
        using (var spool = RunSpool.Create(spoolRoot, "http://x"))
        {
            spool.Append(seq => new SpoolRecord { Seq = seq, Op = SpoolRecord.LogBatch, Metrics = [new Metric("m", 1, 1, 0)] });
            directory = spool.Directory;
        }

        File.AppendAllText(Path.Combine(directory, RunSpool.JournalFile), "{\"seq\":2,\"op\":\"log_ba");
        using var reopened = RunSpool.TryOpen(directory)!;
        reopened.LastSeq.Should().Be(1);
        reopened.ReadPending(100, 0).Should().ContainSingle().Which.Metrics.Should().ContainSingle();
        RunSpool.TryOpen(directory).Should().BeNull("the spool is held by the process that opened it");
    }

    private SpoolingTrackingClient NewClient() =>
        new(new MlflowRestClient(FastOptions.Rest(_server.Uri, maxRetries: 2)), FastOptions.Spool(_temp.Combine("spool"), _log));
}
