namespace KeywordSpottingLora;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using KeywordSpottingLora.Data;
using PeftSharp.Training;
using static TorchSharp.torch;

/// <summary>The experiment's command line.</summary>
public static class KeywordExperiment
{
    /// <summary>The project folder recorded at build time (data and cache default to folders in it).</summary>
    public static string ProjectDirectory =>
        typeof(KeywordExperiment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? AppContext.BaseDirectory;

    private sealed class ConsoleSink(TextWriter output, string prefix) : IMetricSink
    {
        public void LogMetric(string key, double value, long step)
        {
            if (key.StartsWith("eval/", StringComparison.Ordinal))
            {
                output.WriteLine($"{prefix} step {step} {key} {value:F4}");
            }
        }
    }

    /// <summary>The command-line entry point. Returns the process exit code.</summary>
    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var plan = new CorpusPlan();
        var dataDir = Path.Combine(ProjectDirectory, "data");
        var took = await KeywordCorpus.EnsureAsync(plan, dataDir, Path.Combine(ProjectDirectory, ".cache"), output, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"data ready in {took.TotalSeconds:F1} s").ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var data = await KeywordData.LoadAsync(plan, dataDir, 42, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"loaded in {watch.Elapsed.TotalSeconds:F1}s: source {data.SourceTrain.Count}/{data.SourceValidation.Count}, target {data.TargetTrain.Count}/{data.TargetValidation.Count}/{data.TargetTest.Count}, mean {data.Mean} std {data.Std}").ConfigureAwait(false);
        var device = CPU;
        var width = args.Count > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 16;
        var pretrainEpochs = args.Count > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6;
        Reproducibility.Seed(42);
        var model = new KeywordCnn(plan.Features.MelBins, plan.Frames, width, plan.Keywords.Count);
        await output.WriteLineAsync($"{ParameterReport.Of(model)}").ConfigureAwait(false);
        watch.Restart();
        KeywordTraining.Fit(model, data.SourceTrain, data.SourceValidation, KeywordTraining.Options(pretrainEpochs, 3e-3, 0.01), new ConsoleSink(output, "pretrain"), 64, 42, device, cancellationToken);
        await output.WriteLineAsync($"pretrain {watch.Elapsed.TotalSeconds:F1}s").ConfigureAwait(false);
        var before = ClassifierEvaluation.Evaluate(model, data.TargetTest, device);
        var sourceVal = ClassifierEvaluation.Evaluate(model, data.SourceValidation, device);
        await output.WriteLineAsync($"source val {sourceVal.Accuracy:P1}, target test before {before.Accuracy:P1}").ConfigureAwait(false);
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        foreach (var method in new[] { AdaptationMethod.Lora, AdaptationMethod.Full, AdaptationMethod.Scratch })
        {
            Reproducibility.Seed(43);
            using var m = new KeywordCnn(plan.Features.MelBins, plan.Frames, width, plan.Keywords.Count);
            if (method != AdaptationMethod.Scratch)
            {
                m.load_state_dict(state);
            }

            if (method == AdaptationMethod.Lora)
            {
                m.ApplyAdapters();
            }

            var lr = method == AdaptationMethod.Lora ? 5e-3 : method == AdaptationMethod.Full ? 1e-3 : 3e-3;
            var epochs = method == AdaptationMethod.Scratch ? 30 : 15;
            watch.Restart();
            KeywordTraining.Fit(m, data.TargetTrain, data.TargetValidation, KeywordTraining.Options(epochs, lr, 0.01), new ConsoleSink(TextWriter.Null, method.ToString()), 32, 42, device, cancellationToken);
            var after = ClassifierEvaluation.Evaluate(m, data.TargetTest, device);
            await output.WriteLineAsync($"{method}: {ParameterReport.Of(m)} test {after.Accuracy:P1} in {watch.Elapsed.TotalSeconds:F1}s").ConfigureAwait(false);
        }

        return 0;
    }
}
