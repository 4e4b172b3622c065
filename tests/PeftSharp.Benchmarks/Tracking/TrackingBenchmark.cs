namespace PeftSharp.Benchmarks.Tracking;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Tracking;

/// <summary>
/// MLflow tracking cost: 100k metric points to the file store and over REST on loopback (to a minimal HttpListener
/// server that parses every batch), cost per point on the training thread and until delivered, and the overhead of
/// logging on a small CPU training step.
/// </summary>
internal sealed class TrackingBenchmark : IBenchmark
{
    public string Name => "tracking";

    public string Description => "100k metric points: file store vs REST on loopback (spooled and direct); per-point cost; overhead on a training step.";

    public string Usage =>
        "  --points N      metric points per measurement (default 100000)\n" +
        "  --steps N       training steps for the overhead measurement (default 2000)\n" +
        "  --metrics N     metrics logged per training step (default 5)";

    public int Run(BenchmarkArguments arguments)
    {
        int points = arguments.Int("points", 100_000);
        int steps = arguments.Int("steps", 2000);
        int perStep = arguments.Int("metrics", 5);
        arguments.EnsureAllRead();
        string folder = Path.Combine(Path.GetTempPath(), "peftsharp-bench-tracking-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        using var server = new LoopbackServer();
        Console.WriteLine(Invariant($"tracking: {points} points, {Environment.ProcessorCount} logical cores, server {server.Uri}"));
        try
        {
            // File store: one LogMetric call per point (one append per call).
            var store = new MlflowFileStore(Path.Combine(folder, "mlruns"));
            var run = TrackedRun.Start(store, "bench", "file-store");
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < points; i++)
            {
                run.LogMetric("train/loss", 1.0 / (i + 1), i);
            }

            watch.Stop();
            run.End(RunStatus.Finished);
            Report("file store, LogMetric per point", points, watch.Elapsed, null);

            // REST through the spool: what the training thread pays, then the time until the server has everything.
            var spooled = new SpoolingTrackingClient(
                new MlflowRestClient(new MlflowRestOptions(server.Uri)), new SpoolOptions { Directory = Path.Combine(folder, "spool"), Log = _ => { } });
            run = TrackedRun.Start(spooled, "bench", "rest-spooled");
            int before = server.Batches;
            watch.Restart();
            for (int i = 0; i < points; i++)
            {
                run.LogMetric("train/loss", 1.0 / (i + 1), i);
            }

            var logged = watch.Elapsed;
            run.End(RunStatus.Finished);
            watch.Stop();
            Report("REST spooled, LogMetric per point (training thread)", points, logged, null);
            Report("REST spooled, until the server has all points", points, watch.Elapsed, server.Batches - before);
            spooled.Dispose();
            Check(server.MetricsReceived >= points, "the server received every spooled point");

            // REST direct: one LogBatch call with every point (1000 per request).
            var rest = new MlflowRestClient(new MlflowRestOptions(server.Uri));
            var runInfo = rest.CreateRun(rest.GetOrCreateExperiment("bench"), "rest-direct");
            var batch = Enumerable.Range(0, points).Select(i => new Metric("train/loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i)).ToList();
            before = server.Batches;
            watch.Restart();
            rest.LogBatch(runInfo.RunId, batch, [], []);
            watch.Stop();
            Report("REST direct, one LogBatch of all points", points, watch.Elapsed, server.Batches - before);

            // Overhead on a training step: a fixed CPU step (64x64 matrix product) with and without logging.
            Console.WriteLine(Invariant($"training step overhead: {steps} steps, {perStep} metrics per step"));
            double baseline = StepMicroseconds(steps, null, perStep);
            double file = StepMicroseconds(steps, TrackedRun.Start(store, "bench", "overhead-file"), perStep);
            var overheadClient = new SpoolingTrackingClient(
                new MlflowRestClient(new MlflowRestOptions(server.Uri)), new SpoolOptions { Directory = Path.Combine(folder, "spool2"), Log = _ => { } });
            double spool = StepMicroseconds(steps, TrackedRun.Start(overheadClient, "bench", "overhead-rest"), perStep);
            overheadClient.Dispose();
            Console.WriteLine(Invariant($"  step without logging      {baseline,9:F1} us"));
            Console.WriteLine(Invariant($"  step + file store         {file,9:F1} us  (+{file - baseline:F1} us, {100 * (file - baseline) / baseline:F1} %)"));
            Console.WriteLine(Invariant($"  step + REST (spooled)     {spool,9:F1} us  (+{spool - baseline:F1} us, {100 * (spool - baseline) / baseline:F1} %)"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double StepMicroseconds(int steps, TrackedRun? run, int perStep)
    {
        var a = new double[64 * 64];
        var b = new double[64 * 64];
        var c = new double[64 * 64];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = i % 7;
            b[i] = i % 5;
        }

        var keys = Enumerable.Range(0, perStep).Select(k => $"train/metric_{k}").ToArray();
        var samples = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int step = 0; step < steps; step++)
            {
                for (int i = 0; i < 64; i++)
                {
                    for (int k = 0; k < 64; k++)
                    {
                        double x = a[(i * 64) + k];
                        for (int j = 0; j < 64; j++)
                        {
                            c[(i * 64) + j] += x * b[(k * 64) + j];
                        }
                    }
                }

                if (run is not null)
                {
                    foreach (string key in keys)
                    {
                        run.LogMetric(key, c[step % c.Length], (round * steps) + step);
                    }
                }
            }

            samples.Add(watch.Elapsed.TotalMicroseconds / steps);
        }

        run?.End(RunStatus.Finished);
        return Statistics.Median(samples);
    }

    private static void Report(string what, int points, TimeSpan elapsed, int? requests) =>
        Console.WriteLine(Invariant(
            $"  {what,-52} {elapsed.TotalMilliseconds,9:F0} ms  {elapsed.TotalMicroseconds / points,7:F2} us/point  {points / elapsed.TotalSeconds,10:F0} points/s{(requests is int r ? $"  {r} requests" : string.Empty)}"));

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark check failed: " + what);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A minimal MLflow endpoint on loopback: parses every request body, counts batches and metric points.</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private int _batches;
        private long _metrics;

        public LoopbackServer()
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Uri = Invariant($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}");
            }

            _listener.Prefixes.Add(Uri + "/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Uri { get; }

        public int Batches => Volatile.Read(ref _batches);

        public long MetricsReceived => Interlocked.Read(ref _metrics);

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
                // Stopping the listener ends the loop with an exception.
            }
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(() => Handle(context));
            }
        }

        private void Handle(HttpListenerContext context)
        {
            string path = context.Request.Url!.AbsolutePath;
            using var body = JsonDocument.Parse(context.Request.HasEntityBody ? context.Request.InputStream : new MemoryStream("{}"u8.ToArray()));
            string answer = "{}";
            if (path.EndsWith("experiments/get-by-name", StringComparison.Ordinal))
            {
                answer = "{\"experiment\": {\"experiment_id\": \"1\", \"name\": \"bench\", \"lifecycle_stage\": \"active\"}}";
            }
            else if (path.EndsWith("runs/create", StringComparison.Ordinal))
            {
                string id = Guid.NewGuid().ToString("N");
                answer = "{\"run\": {\"info\": {\"run_id\": \"" + id + "\", \"experiment_id\": \"1\", \"status\": \"RUNNING\", \"artifact_uri\": \"mlflow-artifacts:/1/" + id + "/artifacts\"}}}";
            }
            else if (path.EndsWith("runs/log-batch", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _batches);
                if (body.RootElement.TryGetProperty("metrics", out var metrics))
                {
                    Interlocked.Add(ref _metrics, metrics.GetArrayLength());
                }
            }

            byte[] bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            context.Response.OutputStream.Write(bytes);
            context.Response.Close();
        }
    }
}
