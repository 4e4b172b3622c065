namespace PeftSharp.Benchmarks.Adapters;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// One LoRA training step against one full fine-tuning step of the same BERT-base-sized encoder stack and batch, in
/// one process: time (median of several steps after warm-up) and peak memory, as ratios.
/// </summary>
internal sealed class AdapterBenchmark : IBenchmark
{
    private const int Hidden = 768;
    private const int Heads = 12;
    private const int FeedForward = 3072;
    private const int Classes = 2;

    public string Name => "adapters";

    public string Description => "LoRA (r=8 on query/value) vs full fine-tuning: one AdamW training step of a BERT-base-sized encoder stack.";

    public string Usage =>
        "  --layers N    encoder layers (default 4; BERT-base has 12)\n" +
        "  --batch N     sequences per batch (default 8)\n" +
        "  --seq N       tokens per sequence (default 128)\n" +
        "  --rank N      LoRA rank (default 8; alpha = 2 * rank)\n" +
        "  --warmup N    unmeasured steps first (default 2)\n" +
        "  --steps N     measured steps; the median is reported (default 5)\n" +
        "  --rounds N    repeat full-then-LoRA N times and pool the steps, so drifting machine load hits both (default 2)\n" +
        "  --threads N   LibTorch intra-op threads (default: LibTorch's choice)";

    public int Run(BenchmarkArguments arguments)
    {
        var config = new Config(
            Layers: arguments.Int("layers", 4),
            Batch: arguments.Int("batch", 8),
            Sequence: arguments.Int("seq", 128),
            Rank: arguments.Int("rank", 8),
            Warmup: arguments.Int("warmup", 2, minimum: 1),
            Steps: arguments.Int("steps", 5),
            Rounds: arguments.Int("rounds", 2),
            Threads: arguments.Int("threads", 0, minimum: 0));
        arguments.EnsureAllRead();
        if (config.Threads > 0)
        {
            set_num_threads(config.Threads);
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"adapters: {config.Layers} encoder layers (hidden {Hidden}, {Heads} heads, FFN {FeedForward}), batch {config.Batch} x {config.Sequence} tokens, fp32, CPU, {get_num_threads()} LibTorch threads, {Environment.ProcessorCount} logical cores"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"          LoRA r={config.Rank}, alpha={2 * config.Rank} on query and value of every layer, classifier head trainable; full fine-tuning trains everything. AdamW, {config.Warmup} warm-up + {config.Steps} measured steps each, {config.Rounds} round(s) of full then LoRA."));

        manual_seed(0);
        using var input = randn(config.Batch, config.Sequence, Hidden);
        using var labels = randint(0, Classes, [config.Batch], dtype: ScalarType.Int64);

        // Full fine-tuning, then LoRA, per round; each run starts from a fresh model, a trimmed heap and a fresh peak.
        var fulls = new List<Result>();
        var loras = new List<Result>();
        for (var round = 0; round < config.Rounds; round++)
        {
            fulls.Add(Measure(config, input, labels, lora: false));
            loras.Add(Measure(config, input, labels, lora: true));
        }

        Print(Pool(fulls), Pool(loras));
        return 0;
    }

    private static Result Measure(Config config, Tensor input, Tensor labels, bool lora)
    {
        ProcessMemory.Trim();
        var before = ProcessMemory.CurrentBytes();
        using var peak = ProcessMemory.StartPeak();

        manual_seed(1);
        using var model = new EncoderClassifier(config.Layers, Hidden, Heads, FeedForward, Classes, dropoutRate: 0.1);
        if (lora)
        {
            model.ApplyLora(config.Rank, 2.0 * config.Rank);
        }

        model.train();
        var parameters = model.parameters().ToList();
        var trainable = parameters.Where(p => p.requires_grad).ToList();
        using var optimizer = optim.AdamW(trainable, lr: lora ? 5e-4 : 2e-5);
        var times = new List<double>();
        var cpuTimes = new List<double>();
        var process = Process.GetCurrentProcess();
        var lastLoss = double.NaN;
        for (var step = 0; step < config.Warmup + config.Steps; step++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var logits = model.forward(input);
                var loss = nn.functional.cross_entropy(logits, labels);
                loss.backward();
                optimizer.step();
                lastLoss = loss.item<float>();
            }

            clock.Stop();
            process.Refresh();
            if (step >= config.Warmup)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
                cpuTimes.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }
        }

        var peakBytes = peak.PeakBytes() - before;
        var result = new Result(
            lora ? $"LoRA r={config.Rank}" : "full fine-tuning",
            Statistics.Median(times),
            times,
            peakBytes,
            peak.Method,
            parameters.Sum(p => p.numel()),
            trainable.Sum(p => p.numel()),
            lastLoss,
            [peakBytes],
            cpuTimes);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {result.Name,-18} median {result.MedianMs:F0} ms wall, {Statistics.Median(cpuTimes):F0} ms CPU; peak {Statistics.MiB(peakBytes)}; load average {LoadAverage()}"));
        if (!double.IsFinite(lastLoss))
        {
            throw new InvalidOperationException($"{result.Name}: the loss is {lastLoss}; the benchmark model is broken.");
        }

        return result;
    }

    /// <summary>All rounds' steps pooled for the median; the highest peak of the rounds.</summary>
    private static Result Pool(List<Result> rounds)
    {
        var times = rounds.SelectMany(r => r.Times).ToList();
        return rounds[^1] with
        {
            Times = times,
            MedianMs = Statistics.Median(times),
            CpuTimes = rounds.SelectMany(r => r.CpuTimes).ToList(),
            PeakBytes = rounds.Max(r => r.PeakBytes),
            Peaks = rounds.Select(r => r.PeakBytes).ToList(),
        };
    }

    private static void Print(Result full, Result lora)
    {
        static string Ms(double v) => v.ToString("F0", CultureInfo.InvariantCulture) + " ms";
        Console.WriteLine();
        Console.WriteLine($"{"",-18} {"trainable params",18} {"median step",12} {"CPU time",10} {"peak memory",13}   wall-clock steps (ms)");
        foreach (var r in new[] { full, lora })
        {
            var steps = string.Join(" ", r.Times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)));
            var trainable = r.Trainable.ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine($"{r.Name,-18} {trainable,18} {Ms(r.MedianMs),12} {Ms(Statistics.Median(r.CpuTimes)),10} {Statistics.MiB(r.PeakBytes),13}   {steps}");
        }

        Console.WriteLine();
        Console.WriteLine("training state (fp32, counted): weights + gradients + AdamW moments; peaks per round:");
        foreach (var r in new[] { full, lora })
        {
            const long Float = sizeof(float);
            var state = (r.Total * Float) + (r.Trainable * Float) + (2 * r.Trainable * Float);
            var peaks = string.Join(", ", r.Peaks.Select(Statistics.MiB));
            Console.WriteLine($"  {r.Name,-18} {Statistics.MiB(r.Total * Float)} + {Statistics.MiB(r.Trainable * Float)} + {Statistics.MiB(2 * r.Trainable * Float)} = {Statistics.MiB(state)}; measured peaks {peaks}");
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total parameters: {full.Total:N0}; LoRA trains {100.0 * lora.Trainable / lora.Total:F3}%"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time ratio   LoRA / full = {lora.MedianMs / full.MedianMs:F2} (wall clock), {Statistics.Median(lora.CpuTimes) / Statistics.Median(full.CpuTimes):F2} (process CPU time)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory ratio LoRA / full = {(double)lora.PeakBytes / full.PeakBytes:F2}"));
        Console.WriteLine($"memory: {full.MemoryMethod} during model construction and all steps, minus RSS before the model was built");
        Console.WriteLine("        (weights + gradients + AdamW state + activations; the heap is trimmed with malloc_trim between runs).");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final losses: full {full.LastLoss:F4}, LoRA {lora.LastLoss:F4}"));
    }

    private static string LoadAverage()
    {
        try
        {
            return System.IO.File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (System.IO.IOException)
        {
            return "n/a";
        }
    }

    private sealed record Config(int Layers, int Batch, int Sequence, int Rank, int Warmup, int Steps, int Rounds, int Threads);

    private sealed record Result(
        string Name, double MedianMs, IReadOnlyList<double> Times, long PeakBytes, string MemoryMethod, long Total, long Trainable, double LastLoss, IReadOnlyList<long> Peaks, IReadOnlyList<double> CpuTimes);
}
