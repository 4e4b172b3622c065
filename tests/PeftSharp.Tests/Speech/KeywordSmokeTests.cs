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
using PeftSharp.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

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
    public async Task A_tiny_corpus_is_generated_once_and_a_few_steps_lower_the_loss()
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
        // 10 keywords x 3 variants x 2 copies; the target's adaptation voice is 1 of the 3 variants.
        source.Count.Should().Be(60);
        adapt.Count.Should().Be(20);
        test.Count.Should().Be(40);
        source.FeatureCount.Should().Be(plan.Features.MelBins * plan.Frames);
        Enumerable.Range(0, source.Count).GroupBy(source.Label).Should().HaveCount(10).And.OnlyContain(g => g.Count() == 6);

        var data = await KeywordData.LoadAsync(plan, folder.Path, seed: 1);
        Reproducibility.Seed(1);
        using var model = new KeywordCnn(plan.Features.MelBins, plan.Frames, width: 8, plan.Keywords.Count);
        var losses = new List<double>();
        KeywordTraining.Fit(model, data.SourceTrain, data.SourceValidation, KeywordTraining.Options(epochs: 20, learningRate: 1e-2, weightDecay: 0),
            new LossSink(losses), batchSize: 9, seed: 1, CPU, default);
        output.WriteLine(string.Join(" ", losses.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        losses.Should().HaveCount(120);
        losses.TakeLast(6).Average().Should().BeLessThan(losses.Take(6).Average() * 0.7, "training on the spectrograms lowers the loss");

        var plan0 = model.ApplyAdapters();
        plan0.Select(t => t.ModulePath).Should().Equal("conv1", "conv2", "conv3", "hidden");
        var report = ParameterReport.Of(model);
        report.Trainable.Should().BeGreaterThan(0).And.BeLessThan(report.Total / 5);
    }

    private static async Task<EspeakNg> EnsureEspeakAsync()
    {
        var debian = Path.Combine(Cache, "debian");
        var cached = File.Exists(Path.Combine(debian, "espeak-ng.packages"));
        var reason = cached ? null : DebianPackage.MissingTools("espeak-ng comes from Debian packages");
        Skip.If(reason is not null, reason);
        return await EspeakNg.EnsureAsync(debian, TextWriter.Null);
    }

    private sealed class LossSink(List<double> losses) : IMetricSink
    {
        public void LogMetric(string key, double value, long step)
        {
            if (key == "train/loss")
            {
                losses.Add(value);
            }
        }
    }
}
