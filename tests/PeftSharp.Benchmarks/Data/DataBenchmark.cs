namespace PeftSharp.Benchmarks.Data;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;

/// <summary>
/// Reading a numeric Parquet file into training batches through PeftSharp.Data against Parquet.Net reading the same
/// columns raw, in one process (throughput ratio); then tokenization throughput of the BERT WordPiece encoder.
/// The file is generated into a temporary folder and deleted afterwards.
/// </summary>
internal sealed class DataBenchmark : IBenchmark
{
    // CPU time (all threads) of the last measured pass.
    private static double LastCpuSeconds { get; set; }

    public string Name => "data";

    public string Description => "Parquet -> batches (PeftSharp.Data) vs raw Parquet.Net column reads on a 1M-row numeric file; tokenization rows/s and tokens/s.";

    public string Usage =>
        "  --rows N        rows in the generated file (default 1000000)\n" +
        "  --features N    double feature columns (default 16) plus an int64 label\n" +
        "  --group N       rows per row group (default 65536)\n" +
        "  --batch N       batch size (default 1024)\n" +
        "  --repeats N     measured passes of each reader, alternating; the median is reported (default 5)\n" +
        "  --texts N       texts tokenized for the tokenization measurement (default 20000)\n" +
        "  --max-length N  tokenizer maximum length (default 128)";

    public int Run(BenchmarkArguments arguments)
    {
        var rows = arguments.Int("rows", 1_000_000);
        var features = arguments.Int("features", 16);
        var group = arguments.Int("group", 65536);
        var batch = arguments.Int("batch", 1024);
        var repeats = arguments.Int("repeats", 5);
        var texts = arguments.Int("texts", 20000);
        var maxLength = arguments.Int("max-length", 128, minimum: 3);
        arguments.EnsureAllRead();
        return RunAsync(rows, features, group, batch, repeats, texts, maxLength).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int rows, int features, int group, int batch, int repeats, int texts, int maxLength)
    {
        var folder = Path.Combine(Path.GetTempPath(), "peftsharp-bench-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "numeric.parquet");
            var names = Enumerable.Range(0, features).Select(i => $"f{i}").ToArray();
            var generate = Stopwatch.StartNew();
            await GenerateAsync(path, names, rows, group).ConfigureAwait(false);
            Console.WriteLine(Invariant(
                $"data: {rows} rows x {features} double features + int64 label, row groups of {group}, {new FileInfo(path).Length / (1024.0 * 1024.0):F1} MiB (written in {generate.Elapsed.TotalSeconds:F1} s); {Environment.ProcessorCount} logical cores"));

            var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("bench", path).Numbers("x", names).Label("y", "label", 10)).ConfigureAwait(false);
            var sequential = new BatchOptions(batch);
            var shuffled = sequential with { Shuffle = true, Seed = 1, ShuffleBufferRows = 65536 };

            // Warm up both paths (JIT, file cache), then alternate so machine load drifts hit both alike.
            await RawAsync(path, names).ConfigureAwait(false);
            Pipeline(dataset, sequential);
            var raw = new List<double>();
            var pipeline = new List<double>();
            var shuffle = new List<double>();
            var rawCpu = new List<double>();
            var pipelineCpu = new List<double>();
            var shuffleCpu = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                raw.Add(await RawAsync(path, names).ConfigureAwait(false));
                rawCpu.Add(LastCpuSeconds);
                pipeline.Add(Pipeline(dataset, sequential));
                pipelineCpu.Add(LastCpuSeconds);
                shuffle.Add(Pipeline(dataset, shuffled));
                shuffleCpu.Add(LastCpuSeconds);
            }

            // Wall time is what a training loop waits for: the median, and the best pass, which is the steadier figure
            // when other work shares the machine. CPU time (all threads) is what reading costs.
            Console.WriteLine(Invariant($"  {"reader",-34} {"median",8} {"best",8} {"rows/s (best)",14} {"ratio median",13} {"ratio best",11} {"CPU",8}"));
            Report("raw Parquet.Net column reads", raw, rawCpu, raw, rows);
            Report($"PeftSharp.Data batches ({batch})", pipeline, pipelineCpu, raw, rows);
            Report("... shuffled (buffer 65536)", shuffle, shuffleCpu, raw, rows);
            Tokenization(folder, texts, maxLength);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(string reader, List<double> wall, List<double> cpu, List<double> raw, int rows)
    {
        var median = Statistics.Median(wall);
        var best = wall.Min();
        Console.WriteLine(Invariant(
            $"  {reader,-34} {median * 1000,6:F0} ms {best * 1000,5:F0} ms {rows / best / 1e6,8:F2} M/s {Statistics.Median(raw) / median,13:F2} {raw.Min() / best,11:F2} {Statistics.Median(cpu) * 1000,5:F0} ms"));
    }

    private static async Task GenerateAsync(string path, string[] names, int rows, int group)
    {
        var fields = names.Select(n => (DataField)new DataField<double>(n)).Append(new DataField<long>("label")).ToArray();
        var random = new Random(42);
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields.Cast<Field>().ToArray()), stream).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                for (var start = 0; start < rows; start += group)
                {
                    var count = Math.Min(group, rows - start);
                    using var rowGroup = writer.CreateRowGroup();
                    for (var f = 0; f < names.Length; f++)
                    {
                        var values = new double[count];
                        for (var i = 0; i < count; i++)
                        {
                            values[i] = random.NextDouble();
                        }

                        await rowGroup.WriteAsync(fields[f], (ReadOnlyMemory<double>)values).ConfigureAwait(false);
                    }

                    var labels = new long[count];
                    for (var i = 0; i < count; i++)
                    {
                        labels[i] = random.Next(10);
                    }

                    await rowGroup.WriteAsync(fields[^1], (ReadOnlyMemory<long>)labels).ConfigureAwait(false);
                }
            }
        }
    }

    // The baseline: Parquet.Net reading the same columns, row group by row group, into typed arrays; nothing else.
    private static async Task<double> RawAsync(string path, string[] names)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields();
            var features = names.Select(n => fields.First(f => f.Name == n)).ToArray();
            var label = fields.First(f => f.Name == "label");
            double checksum = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var count = (int)rowGroup.RowCount;
                foreach (var field in features)
                {
                    var values = new double[count];
                    await rowGroup.ReadAsync(field, values.AsMemory()).ConfigureAwait(false);
                    checksum += values[0];
                }

                var labels = new long[count];
                await rowGroup.ReadAsync(label, labels.AsMemory()).ConfigureAwait(false);
                checksum += labels[0];
            }

            GC.KeepAlive(checksum);
        }

        LastCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return watch.Elapsed.TotalSeconds;
    }

    // The pipeline as a training loop sees it: float32 [batch, features] and int64 [batch] tensors, disposed per step.
    private static double Pipeline(ParquetDataset dataset, BatchOptions options)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        using var loader = dataset.OpenBatches(options);
        long rows = 0;
        foreach (var batch in loader)
        {
            rows += batch.Count;
            batch.Dispose();
        }

        if (rows != dataset.RowCount)
        {
            throw new InvalidOperationException($"Read {rows} rows, expected {dataset.RowCount}.");
        }

        LastCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return watch.Elapsed.TotalSeconds;
    }

    private static void Tokenization(string folder, int count, int maxLength)
    {
        // A WordPiece vocabulary of 3000 pseudo-words plus letter pieces; a quarter of the text's words are not in it
        // and split into pieces, as rare words do with a real BERT vocabulary.
        var random = new Random(7);
        string Word(int length) => new(Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(26))).ToArray());
        var words = Enumerable.Range(0, 4000).Select(i => Word(3 + (i % 8))).Distinct().ToArray();
        var vocabulary = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "," }
            .Concat(Enumerable.Range(0, 26).Select(c => ((char)('a' + c)).ToString()))
            .Concat(Enumerable.Range(0, 26).Select(c => "##" + (char)('a' + c)))
            .Concat(words.Take(3000))
            .Distinct()
            .ToArray();
        var vocabPath = Path.Combine(folder, "vocab.txt");
        File.WriteAllLines(vocabPath, vocabulary);
        var encoder = TextEncoder.ForBert(vocabPath, maxLength);
        var texts = Enumerable.Range(0, count)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 20 + random.Next(60)).Select(_ => words[random.Next(words.Length)])) + ".")
            .ToArray();
        var characters = texts.Sum(t => (long)t.Length);

        foreach (var text in texts.Take(200))
        {
            encoder.Encode(text);
        }

        var watch = Stopwatch.StartNew();
        long tokens = 0;
        foreach (var text in texts)
        {
            tokens += encoder.Encode(text).Length;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant(
            $"  tokenization (BERT WordPiece, max {maxLength}, 1 thread): {count} texts of {characters / (double)count:F0} chars on average"));
        Console.WriteLine(Invariant(
            $"    {count / seconds,10:F0} rows/s  {tokens / seconds,10:F0} tokens/s  ({tokens / (double)count:F1} tokens per row after truncation)"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
