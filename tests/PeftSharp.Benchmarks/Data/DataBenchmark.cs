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
using PeftSharp.Models.MiniLm;

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
        "  --max-length N  tokenizer maximum length (default 128)\n" +
        "  --reviews PATH  review texts to tokenize (default experiments/SentimentLora/data/reviews_train.parquet)";

    public int Run(BenchmarkArguments arguments)
    {
        var rows = arguments.Int("rows", 1_000_000);
        var features = arguments.Int("features", 16);
        var group = arguments.Int("group", 65536);
        var batch = arguments.Int("batch", 1024);
        var repeats = arguments.Int("repeats", 5);
        var texts = arguments.Int("texts", 20000);
        var maxLength = arguments.Int("max-length", 128, minimum: 3);
        var reviews = arguments.String("reviews", Path.Combine("experiments", "SentimentLora", "data", "reviews_train.parquet"));
        arguments.EnsureAllRead();
        return RunAsync(rows, features, group, batch, repeats, texts, maxLength, reviews).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int rows, int features, int group, int batch, int repeats, int texts, int maxLength, string reviews)
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
            await TokenizationAsync(reviews, texts, maxLength).ConfigureAwait(false);
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

    // Tokenization with the real bert-base-uncased vocabulary of all-MiniLM-L6-v2: the Amazon reviews when prepared
    // (SentimentLora prepare-data), otherwise sentences of real vocabulary words with a quarter of rare made-up words.
    private static async Task TokenizationAsync(string reviewsPath, int count, int maxLength)
    {
        TextEncoder encoder;
        using (var vocabulary = MiniLmL6V2.OpenVocabulary())
        {
            encoder = TextEncoder.ForBert(vocabulary, maxLength);
        }

        string[] texts;
        string source;
        if (File.Exists(reviewsPath))
        {
            texts = await ReadReviewsAsync(reviewsPath, count).ConfigureAwait(false);
            source = $"Amazon reviews from {reviewsPath}";
        }
        else
        {
            var random = new Random(7);
            using var vocabulary = new StreamReader(MiniLmL6V2.OpenVocabulary());
            var words = (await vocabulary.ReadToEndAsync().ConfigureAwait(false))
                .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(w => w.Length > 2 && w.All(char.IsAsciiLetterLower))
                .ToArray();
            string Rare() => new(Enumerable.Range(0, 5 + random.Next(6)).Select(_ => (char)('a' + random.Next(26))).ToArray());
            texts = Enumerable.Range(0, count)
                .Select(_ => string.Join(' ', Enumerable.Range(0, 20 + random.Next(60)).Select(_ => random.Next(4) == 0 ? Rare() : words[random.Next(words.Length)])) + ".")
                .ToArray();
            source = $"synthetic sentences ({reviewsPath} not found: run SentimentLora prepare-data for real reviews)";
        }

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
            $"  tokenization (bert-base-uncased WordPiece, max {maxLength}, 1 thread): {texts.Length} texts of {characters / (double)texts.Length:F0} chars on average, {source}"));
        Console.WriteLine(Invariant(
            $"    {texts.Length / seconds,10:F0} rows/s  {tokens / seconds,10:F0} tokens/s  ({tokens / (double)texts.Length:F1} tokens per row after truncation)"));
    }

    private static async Task<string[]> ReadReviewsAsync(string path, int count)
    {
        var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == "review")
                ?? throw new InvalidDataException($"'{path}' has no 'review' column.");
            var texts = new List<string>();
            for (var g = 0; g < reader.RowGroupCount && texts.Count < count; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var values = new string?[rowGroup.RowCount];
                await rowGroup.ReadAsync(field, values.AsMemory()).ConfigureAwait(false);
                texts.AddRange(values.OfType<string>());
            }

            // Repeat the reviews up to the requested count, so the measurement is long enough to be stable.
            return Enumerable.Range(0, count).Select(i => texts[i % texts.Count]).ToArray();
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
