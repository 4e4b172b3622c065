namespace PeftSharp.Benchmarks.Runner;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PeftSharp.Tracking;
using PeftSharp.Training;
using PeftSharp.Training.Engine;
using PeftSharp.Training.Optimization;
using PeftSharp.Training.Runner;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The runner's training step against a hand-written TorchSharp loop: the same MLP from the same seed, the same
/// batches (views of one tensor), AdamW with the same learning rate and weight decay, no clipping, constant rate.
/// The runner's side is a whole <c>RunContext.Fit</c> through <c>ExperimentRunner.TrainAsync</c> into a real mlruns/
/// file store: metric logging, progress, NaN check, step timing and the final checkpoint all count. Repetitions
/// alternate (runner, loop, runner, loop, ...) so drifting machine load hits both; the ratio of medians is reported.
/// </summary>
internal sealed class RunnerBenchmark : IBenchmark
{
    private const double LearningRate = 1e-3;
    private const double WeightDecay = 0.01;

    public string Name => "runner";

    public string Description => "the runner's step time (RunContext.Fit into mlruns/) vs a hand-written TorchSharp loop, same model and batches.";

    public string Usage =>
        "  --steps N     optimizer steps per repetition (default 300)\n" +
        "  --reps N      repetitions of each, alternating (default 5)\n" +
        "  --batch N     rows per batch (default 128)\n" +
        "  --hidden N    width of the two hidden layers (default 1024)\n" +
        "  --threads N   LibTorch intra-op threads (default: LibTorch's choice)\n" +
        "  --device D    cpu (default) or cuda: where both sides train";

    public int Run(BenchmarkArguments arguments)
    {
        var steps = arguments.Int("steps", 300);
        var reps = arguments.Int("reps", 5);
        var batch = arguments.Int("batch", 128);
        var hidden = arguments.Int("hidden", 1024);
        var threads = arguments.Int("threads", 0, minimum: 0);
        var deviceName = arguments.String("device", "cpu");
        arguments.EnsureAllRead();
        var device = TorchDevices.Resolve(deviceName);
        if (threads > 0)
        {
            set_num_threads(threads);
        }

        const int inputs = 256;
        const int classes = 10;
        manual_seed(1);
        using var features = randn(steps * batch, inputs).to(device);
        using var labels = randint(0, classes, [steps * batch]).to(device);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"runner: MLP {inputs}-{hidden}-{hidden}-{classes}, batch {batch}, {steps} AdamW steps per repetition, {reps} repetitions each (alternating), fp32 on {device}, {get_num_threads()} LibTorch threads"));

        var root = Path.Combine(Path.GetTempPath(), "peftsharp-runner-benchmark-" + Guid.NewGuid().ToString("N"));
        try
        {
            // One unmeasured repetition of each first: JIT, LibTorch's allocator and the file store warm up.
            // Wall time and this process's CPU time per step: on a shared machine the CPU time is the steadier figure.
            var runnerWall = new List<double>();
            var loopWall = new List<double>();
            var runnerCpu = new List<double>();
            var loopCpu = new List<double>();
            for (var rep = -1; rep < reps; rep++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var runner = RunnerStepMs(features, labels, batch, hidden, root, deviceName).GetAwaiter().GetResult();
                var runnerCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (features.shape[0] / batch);
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                // On a thread-pool thread, as the runner's training runs: LibTorch issued from the main thread ran up to
                // 3x slower here (38 vs 12 ms per step), which made the comparison meaningless.
                var loop = Task.Run(() => LoopStepMs(features, labels, batch, hidden, device)).GetAwaiter().GetResult();
                var loopCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (features.shape[0] / batch);
                if (rep >= 0)
                {
                    runnerWall.Add(runner);
                    loopWall.Add(loop);
                    runnerCpu.Add(runnerCpuMs);
                    loopCpu.Add(loopCpuMs);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  repetition {rep + 1}: wall runner {runner:F3} / loop {loop:F3} ms/step = {runner / loop:F3}; CPU runner {runnerCpuMs:F3} / loop {loopCpuMs:F3} ms/step = {runnerCpuMs / loopCpuMs:F3}"));
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"runner / hand loop, medians: wall {Statistics.Median(runnerWall):F3} / {Statistics.Median(loopWall):F3} ms = {Statistics.Median(runnerWall) / Statistics.Median(loopWall):F3}; CPU {Statistics.Median(runnerCpu):F3} / {Statistics.Median(loopCpu):F3} ms = {Statistics.Median(runnerCpu) / Statistics.Median(loopCpu):F3} (aim <= 1.03)"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static nn.Module<Tensor, Tensor> Model(int hidden, Device device)
    {
        manual_seed(7);
        var model = nn.Sequential(nn.Linear(256, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 10));
        model.to(device);
        return model;
    }

    private static async Task<double> RunnerStepMs(Tensor features, Tensor labels, int batch, int hidden, string root, string device)
    {
        var store = new MlflowFileStore(Path.Combine(root, "mlruns"));
        var host = new RunnerHost { Tracking = store, Output = TextWriter.Null, HandleSignals = false };
        var settings = new RunSettings { Device = device, CheckpointDirectory = Path.Combine(root, "checkpoints", Guid.NewGuid().ToString("N")) };
        var result = await ExperimentRunner.TrainAsync(
            new BenchmarkOptions(),
            (_, context) =>
            {
                using var model = Model(hidden, context.Device);
                var data = new SliceBatches(features, labels, batch);
                var options = new TrainerOptions { LearningRate = LearningRate, WeightDecay = WeightDecay, MaxGradientNorm = null, Decay = DecayKind.Constant };
                var clock = Stopwatch.StartNew();
                var outcome = context.Fit(options, model, data, b => nn.functional.cross_entropy(model.forward(b.Features), b.Labels));
                return Task.FromResult(clock.Elapsed.TotalMilliseconds / outcome.Steps);
            },
            settings,
            host).ConfigureAwait(false);
        return result.Status == RunStatus.Finished ? result.Value : throw new InvalidOperationException($"The runner's run ended {result.Status}: {result.Error}");
    }

    private static double LoopStepMs(Tensor features, Tensor labels, int batch, int hidden, Device device)
    {
        using var model = Model(hidden, device);
        using var optimizer = ParameterGroups.AdamW(model, LearningRate, WeightDecay);
        model.train();
        var steps = (int)(features.shape[0] / batch);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.forward(features.narrow(0, i * batch, batch)), labels.narrow(0, i * batch, batch));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }

        // GPU work is asynchronous: the loop's time includes finishing what it queued.
        if (device.type == DeviceType.CUDA)
        {
            cuda.synchronize(device);
        }

        return clock.Elapsed.TotalMilliseconds / steps;
    }
}
