namespace KeywordSpottingLora.Data;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;
using PeftSharp.Data.Audio;
using static TorchSharp.torch;

/// <summary>
/// The keyword spectrograms as Parquet files, one per accent (the target accent in two: adaptation voices and test
/// voices). Generating them is an idempotent, cached step: a file is rebuilt only when it is missing or its plan
/// fingerprint (everything that determines its content, including the espeak-ng version) differs.
/// Columns: <c>logmel</c> (list of float, [1, mels, frames] flattened), <c>label</c>, <c>keyword</c>, <c>accent</c>,
/// <c>variant</c>, <c>speed</c>, <c>pitch</c>.
/// </summary>
public static class KeywordCorpus
{
    /// <summary>Parquet key-value metadata entry holding the plan fingerprint.</summary>
    public const string FingerprintKey = "peftsharp.keyword_corpus.fingerprint";

    /// <summary>Parquet key-value metadata entry holding the espeak-ng version that spoke the clips.</summary>
    public const string EspeakVersionKey = "peftsharp.keyword_corpus.espeak_ng";

    /// <summary>The file of <paramref name="part"/> (an accent, or the target accent's "adapt"/"test" voices).</summary>
    public static string PathOf(string dataDirectory, string part) => Path.Combine(dataDirectory, $"keywords-{part}.parquet");

    /// <summary>The file of the target accent's adaptation voices.</summary>
    public static string AdaptationPath(string dataDirectory, CorpusPlan plan) => PathOf(dataDirectory, plan.TargetAccent + "-adapt");

    /// <summary>The file of the target accent's test voices.</summary>
    public static string TestPath(string dataDirectory, CorpusPlan plan) => PathOf(dataDirectory, plan.TargetAccent + "-test");

    /// <summary>Writes every missing or outdated file of <paramref name="plan"/> and returns how long it took.</summary>
    public static async Task<TimeSpan> EnsureAsync(CorpusPlan plan, string dataDirectory, string cacheDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        plan.Validate();
        var watch = Stopwatch.StartNew();
        var espeak = await EspeakNg.EnsureAsync(Path.Combine(cacheDirectory, "debian"), log, cancellationToken).ConfigureAwait(false);
        var synthesizer = new KeywordSynthesizer(espeak, plan);
        using var features = new LogMelSpectrogram(plan.Features);
        foreach (var accent in plan.Accents)
        {
            var fingerprint = plan.Fingerprint(accent, espeak.Version);
            var isTarget = accent == plan.TargetAccent;
            var files = isTarget
                ? new[] { AdaptationPath(dataDirectory, plan), TestPath(dataDirectory, plan) }
                : new[] { PathOf(dataDirectory, accent) };
            var current = true;
            foreach (var file in files)
            {
                current &= await FingerprintOfAsync(file, cancellationToken).ConfigureAwait(false) == fingerprint;
            }

            if (current)
            {
                continue;
            }

            var started = watch.Elapsed;
            var clips = await SynthesizeAccentAsync(synthesizer, plan, accent, cancellationToken).ConfigureAwait(false);
            if (isTarget)
            {
                var adapt = clips.Where(c => plan.TargetAdaptationVariants.Contains(c.Variant)).ToList();
                await WriteAsync(files[0], adapt, features, fingerprint, espeak.Version, cancellationToken).ConfigureAwait(false);
                await WriteAsync(files[1], clips.Except(adapt).ToList(), features, fingerprint, espeak.Version, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteAsync(files[0], clips, features, fingerprint, espeak.Version, cancellationToken).ConfigureAwait(false);
            }

            await log.WriteLineAsync(
                $"Synthesized {clips.Count} clips of {accent} with espeak-ng {espeak.Version} in {(watch.Elapsed - started).TotalSeconds:F1} s -> {string.Join(", ", files.Select(Path.GetFileName))}").ConfigureAwait(false);
        }

        if (synthesizer.Fallbacks > 0)
        {
            await log.WriteLineAsync($"{synthesizer.Fallbacks} voice settings were synthesized word by word (their pauses did not split into one segment per word).").ConfigureAwait(false);
        }

        return watch.Elapsed;
    }

    /// <summary>
    /// Reads a corpus file into memory as a <see cref="TabularData"/> (each row the flattened spectrogram, labels the
    /// keyword indices), after <see cref="ParquetDataset"/> validated every row: shapes, nulls, labels in range.
    /// </summary>
    public static async Task<KeywordFile> ReadAsync(string path, CorpusPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var mels = plan.Features.MelBins;
        var frames = plan.Frames;
        var spec = new DatasetSpec(Path.GetFileNameWithoutExtension(path), path)
            .Image("logmel", "logmel", new ImageFormat(ImageEncoding.FloatChannelsHeightWidth, 1, mels, frames))
            .Label("label", "label", plan.Keywords.Count);
        var dataset = await ParquetDataset.OpenAsync(spec, cancellationToken: cancellationToken).ConfigureAwait(false);
        await dataset.ValidateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var width = mels * frames;
        var features = new List<float>((int)dataset.RowCount * width);
        var labels = new List<long>((int)dataset.RowCount);
        await using var loader = dataset.OpenBatches(new BatchOptions(BatchSize: 256));
        foreach (var batch in loader)
        {
            using (batch)
            {
                features.AddRange(batch["logmel"].reshape(-1).data<float>().ToArray());
                labels.AddRange(batch["label"].data<long>().ToArray());
            }
        }

        var names = Enumerable.Range(0, width).Select(i => $"mel{i / frames}_t{i % frames}").ToArray();
        string? version;
        var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            version = reader.CustomMetadata.GetValueOrDefault(EspeakVersionKey);
        }

        var record = await dataset.DescribeAsync(cancellationToken).ConfigureAwait(false);
        return new KeywordFile(new TabularData(names, [.. features], [.. labels]), record, version ?? "unknown");
    }

    private static async Task<List<KeywordClip>> SynthesizeAccentAsync(KeywordSynthesizer synthesizer, CorpusPlan plan, string accent, CancellationToken cancellationToken)
    {
        var settings = (from variant in plan.Variants from speed in plan.Speeds from pitch in plan.Pitches select (variant, speed, pitch)).ToList();
        var results = new IReadOnlyList<KeywordClip>[settings.Count];
        // espeak-ng runs single-threaded: one process per core keeps the machine busy.
        await Parallel.ForAsync(0, settings.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await synthesizer.SynthesizeAsync(accent, settings[i].variant, settings[i].speed, settings[i].pitch, ct).ConfigureAwait(false))
            .ConfigureAwait(false);
        return results.SelectMany(r => r).ToList();
    }

    private static async Task<string?> FingerprintOfAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            // A file without the espeak-ng version (written by an older version of this code) is outdated too.
            return reader.CustomMetadata.ContainsKey(EspeakVersionKey) ? reader.CustomMetadata.GetValueOrDefault(FingerprintKey) : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
        {
            return null;   // unreadable: regenerate it
        }
    }

    private static async Task WriteAsync(string path, List<KeywordClip> clips, LogMelSpectrogram features, string fingerprint, string espeakVersion, CancellationToken cancellationToken)
    {
        var samples = clips[0].Samples.Length;
        var spectra = new List<float>();
        const int Chunk = 256;
        for (var start = 0; start < clips.Count; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var part = clips.Skip(start).Take(Chunk).ToList();
            var waves = tensor(part.SelectMany(c => c.Samples).ToArray(), [part.Count, samples]);
            spectra.AddRange(features.Compute(waves).reshape(-1).data<float>().ToArray());
        }

        var width = spectra.Count / clips.Count;
        var logmel = new ListField("logmel", new DataField<float>("element"));
        var label = new DataField<long>("label");
        var keyword = new DataField<string>("keyword");
        var accent = new DataField<string>("accent");
        var variant = new DataField<string>("variant");
        var speed = new DataField<int>("speed");
        var pitch = new DataField<int>("pitch");
        await AtomicParquetFile.WriteAsync(path, new ParquetSchema(logmel, label, keyword, accent, variant, speed, pitch), async writer =>
        {
            writer.CustomMetadata = new Dictionary<string, string> { [FingerprintKey] = fingerprint, [EspeakVersionKey] = espeakVersion };
            using var rowGroup = writer.CreateRowGroup();
            var element = (DataField)logmel.Item;
            var definitions = Enumerable.Repeat(element.MaxDefinitionLevel, spectra.Count).ToArray();
            var repetitions = Enumerable.Range(0, spectra.Count).Select(i => i % width == 0 ? 0 : 1).ToArray();
            await rowGroup.WriteAllPartsAsync(element, (ReadOnlyMemory<float>)spectra.ToArray(), definitions, repetitions, cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync(label, (ReadOnlyMemory<long>)clips.Select(c => (long)c.Label).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync(keyword, clips.Select(c => (string?)c.Keyword).ToArray()).ConfigureAwait(false);
            await rowGroup.WriteAsync(accent, clips.Select(c => (string?)c.Accent).ToArray()).ConfigureAwait(false);
            await rowGroup.WriteAsync(variant, clips.Select(c => (string?)c.Variant).ToArray()).ConfigureAwait(false);
            await rowGroup.WriteAsync(speed, (ReadOnlyMemory<int>)clips.Select(c => c.Speed).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync(pitch, (ReadOnlyMemory<int>)clips.Select(c => c.Pitch).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
