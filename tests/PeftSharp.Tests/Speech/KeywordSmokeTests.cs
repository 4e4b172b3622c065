namespace PeftSharp.Tests.Speech;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using KeywordSpottingLora;
using KeywordSpottingLora.Data;
using PeftSharp.Data.Audio;
using PeftSharp.Data.Sources;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
using Xunit;
using Xunit.Abstractions;

/// <summary>
/// The speech experiment end to end on a tiny plan: espeak-ng fetched from Debian packages (cached in the
/// experiment's ignored .cache folder), words synthesized and cut, spectrograms written to Parquet and read back, a
/// few training steps that lower the loss, and LoRA applied from the model's attributes.
/// </summary>
public sealed class KeywordSmokeTests(ITestOutputHelper output)
{
    private static string Cache => Path.Combine(KeywordExperiment.ProjectDirectory, ".cache");

    [SkippableFact]
    public async Task Espeak_ng_from_debian_packages_speaks_valid_wave_audio()
    {
        var espeak = await EnsureEspeakAsync();
        var audio = await espeak.SynthesizeAsync("yes", "en-gb-scotland+m3", wordsPerMinute: 150);
        audio.SampleRate.Should().Be(22050);
        audio.Duration.Should().BeInRange(0.2, 2.0);
        audio.Samples.Max(Math.Abs).Should().BeGreaterThan(0.05f, "a spoken word is not silence");

        var unknown = () => espeak.SynthesizeAsync("yes", "xx-nonexistent");
        (await unknown.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*espeak-ng -v xx-nonexistent failed*");
        var injected = () => espeak.SynthesizeAsync("yes", "en --stdout");
        (await injected.Should().ThrowAsync<ArgumentException>()).WithMessage("*is not a voice name*");
    }

    [SkippableFact]
    public async Task A_tiny_corpus_is_generated_once_and_read_back_with_its_shapes()
    {
        await EnsureEspeakAsync();
        using var folder = new TempDirectory();
        var plan = CorpusPlan.Smoke;
        var log = new StringWriter();
        var took = await KeywordCorpus.EnsureAsync(plan, folder.Path, Cache, log);
        output.WriteLine($"generated in {took.TotalSeconds:F1} s\n{log}");

        var adaptPath = KeywordCorpus.AdaptationPath(folder.Path, plan);
        var written = File.GetLastWriteTimeUtc(adaptPath);
        await KeywordCorpus.EnsureAsync(plan, folder.Path, Cache, TextWriter.Null);
        File.GetLastWriteTimeUtc(adaptPath).Should().Be(written, "a current file is not generated again");

        var source = await KeywordCorpus.ReadAsync(KeywordCorpus.PathOf(folder.Path, "en-us"), plan);
        var adapt = await KeywordCorpus.ReadAsync(adaptPath, plan);
        var test = await KeywordCorpus.ReadAsync(KeywordCorpus.TestPath(folder.Path, plan), plan);
        // 10 keywords x 4 variants x 2 copies; the target's adaptation voices are 2 of the 4 variants.
        source.Data.Count.Should().Be(80);
        adapt.Data.Count.Should().Be(40);
        test.Data.Count.Should().Be(40);
        source.Data.FeatureCount.Should().Be(plan.Features.MelBins * plan.Frames);
        Enumerable.Range(0, source.Data.Count).GroupBy(source.Data.Label).Should().HaveCount(10).And.OnlyContain(g => g.Count() == 8);
        source.EspeakVersion.Should().StartWith("1.");
        source.Record.Digest.Should().NotBe(adapt.Record.Digest);
    }

    [SkippableFact]
    public async Task A_smoke_run_through_the_runner_lowers_the_loss_and_saves_the_lora_adapter()
    {
        await EnsureEspeakAsync();
        using var folder = new TempDirectory();
        var store = new MlflowFileStore(folder.File("mlruns"));
        var options = new KeywordOptions
        {
            Smoke = true, DataDirectory = folder.File("data"), CacheDirectory = Cache, Width = 8, Method = "lora",
            PretrainEpochs = 20, PretrainLearningRate = 1e-2, PretrainBatchSize = 9, Epochs = 10, LearningRate = 1e-2, BatchSize = 8,
        };
        var console = new StringWriter();
        var watch = Stopwatch.StartNew();
        // The data folder is fresh, so this run pretrains its base (and logs pretrain/loss) rather than loading one.
        var result = await ExperimentRunner.TrainAsync(
            options,
            KeywordExperiment.TrainAsync,
            new RunSettings { Device = "cpu", Seed = 3, CheckpointDirectory = folder.File("checkpoints") },
            new RunnerHost { Tracking = store, Output = console, HandleSignals = false });
        output.WriteLine($"{watch.Elapsed.TotalSeconds:F1} s\n{console}");

        result.Status.Should().Be(RunStatus.Finished, result.Error);
        var pretrainLoss = store.GetMetricHistory(result.RunId, "pretrain/loss").Select(m => m.Value).ToList();
        pretrainLoss.Should().HaveCount(20 * 8, "20 epochs of 70 clips in batches of 9");
        pretrainLoss.TakeLast(6).Average().Should().BeLessThan(pretrainLoss.Take(6).Average() * 0.7, "training on the spectrograms lowers the loss");
        var run = store.GetRun(result.RunId);
        run.Params.Should().Contain("method", "lora").And.ContainKeys("adapter.conv1", "adapter.conv2", "adapter.conv3", "adapter.hidden", "data.synthetic");
        run.LatestMetrics.Should().ContainKeys("test/accuracy", "test/accuracy_before_adaptation", "time/step_ms", "train/loss", "pretrain/loss");
        result.Value!.TrainableParameters.Should().BeLessThan(result.Value.TotalParameters / 5);
        Directory.GetFiles(Path.Combine(result.RunDirectory!, "artifacts", "adapter")).Select(Path.GetFileName)
            .Should().BeEquivalentTo("adapter_config.json", "adapter_model.safetensors");
        console.ToString().Should().Contain("SYNTHETIC speech");
    }

    private static async Task<EspeakNg> EnsureEspeakAsync()
    {
        var debian = Path.Combine(Cache, "debian");
        var cached = File.Exists(Path.Combine(debian, "espeak-ng.packages"));
        var reason = cached ? null : DebianPackage.MissingTools("espeak-ng comes from Debian packages");
        Skip.If(reason is not null, reason);
        return await EspeakNg.EnsureAsync(debian, TextWriter.Null);
    }

}
