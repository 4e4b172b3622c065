namespace PeftSharp.Benchmarks.Platform;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using PeftSharp.Lora;
using PeftSharp.Models.Vision;
using PeftSharp.Platform;
using PeftSharp.Training.Optimization;
using PeftSharp.Tuners;
using static TorchSharp.torch;

/// <summary>
/// What turning oneDNN off costs (the runner does, since oneDNN's CPU convolution returns wrong input gradients for
/// some channel counts; see <see cref="LibTorchBackends.OneDnnEnabled"/>): a LoRA training step of the vision
/// experiment's ResNet-18 (r=8 on every convolution, Fashion-MNIST's 32x32 inputs) with oneDNN on and off, in one
/// process, alternating, as a ratio of medians.
/// </summary>
internal sealed class OneDnnBenchmark : IBenchmark
{
    public string Name => "onednn";

    public string Description => "LibTorch's CPU convolution with oneDNN off (what the runner uses) vs on: LoRA step of ResNet-18 at 32x32.";

    public string Usage =>
        "  --batch N     images per step (default 64)\n" +
        "  --size N      image side (default 32)\n" +
        "  --steps N     measured steps per round; medians are compared (default 10)\n" +
        "  --rounds N    alternate on/off this many times (default 3)\n" +
        "  --threads N   LibTorch intra-op threads (default: LibTorch's choice)";

    public int Run(BenchmarkArguments arguments)
    {
        var batch = arguments.Int("batch", 64);
        var size = arguments.Int("size", 32);
        var steps = arguments.Int("steps", 10);
        var rounds = arguments.Int("rounds", 3);
        var threads = arguments.Int("threads", 0, minimum: 0);
        arguments.EnsureAllRead();
        if (threads > 0)
        {
            set_num_threads(threads);
        }

        manual_seed(1);
        using var images = rand(batch, 3, size, size).mul_(255);
        using var labels = randint(0, 10, [batch]);
        var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var original = LibTorchBackends.OneDnnEnabled;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"onednn: ResNet-18 LoRA r=8 on every convolution, batch {batch} of 3x{size}x{size}, {steps} steps x {rounds} rounds each, {get_num_threads()} LibTorch threads"));
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                foreach (var oneDnn in new[] { true, false })
                {
                    LibTorchBackends.OneDnnEnabled = oneDnn;
                    var measured = StepMilliseconds(images, labels, steps);
                    times[oneDnn].AddRange(measured);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round + 1}, oneDNN {(oneDnn ? "on " : "off")}: median {Statistics.Median(measured):F1} ms/step"));
                }
            }
        }
        finally
        {
            LibTorchBackends.OneDnnEnabled = original;
        }

        var on = Statistics.Median(times[true]);
        var off = Statistics.Median(times[false]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"oneDNN off / on, median step: {off:F1} / {on:F1} ms = {off / on:F3}"));
        return 0;
    }

    private static List<double> StepMilliseconds(Tensor images, Tensor labels, int steps)
    {
        manual_seed(7);
        using var backbone = new CntkResNet(ResNetConfig.CntkResNet18);
        using var head = nn.Linear(512, 10);
        using var model = nn.Sequential(("backbone", backbone), ("head", head));
        PeftModel.Create(model, new LoraConfig
        {
            R = 8,
            LoraAlpha = 16,
            TargetModules = TargetModules.Regex(@"backbone\..*(conv\d|downsample\.0)$"),
            ModulesToSave = ["head"],
        });
        using var optimizer = ParameterGroups.AdamW(model, 1e-3, 0.01);
        model.train();
        var result = new List<double>();
        for (var step = -2; step < steps; step++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                var loss = nn.functional.cross_entropy(model.call(images), labels);
                loss.backward();
                optimizer.step();
                optimizer.zero_grad();
            }

            if (step >= 0)
            {
                result.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return result;
    }
}
