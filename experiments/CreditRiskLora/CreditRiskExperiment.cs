namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CreditRiskLora.Data;
using PeftSharp.Training;
using PeftSharp.Training.Experiments;

/// <summary>The command-line entry point.</summary>
public static class CreditRiskExperiment
{
    /// <summary>Runs the experiment. Returns the process exit code.</summary>
    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var prepareOnly = args.Count > 0 && args[0] == "prepare-data";
        var options = prepareOnly ? args.Skip(1).ToList() : args;
        return await ExperimentHost.RunAsync<CreditRiskOptions>(options, async o =>
        {
            if (prepareOnly)
            {
                await CreditDataPreparation.PrepareAsync(o.DataDir, o.CacheDir, output).ConfigureAwait(false);
                return 0;
            }

            var study = await CreditRiskStudy.LoadAsync(o, output).ConfigureAwait(false);
            var device = TorchDevices.Resolve(o.Device);
            var sink = new NullSink();
            using var pretrained = study.Pretrain(o, device, sink);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"pretrained: source val AUC {pretrained.SourceValidation.RocAuc:F3}, target test AUC {pretrained.TargetTest.RocAuc:F3} PR {pretrained.TargetTest.PrAuc:F3} acc {pretrained.TargetTest.Accuracy:F3} ({pretrained.Outcome.Steps} steps, {pretrained.Outcome.Seconds:F1}s)")).ConfigureAwait(false);
            foreach (var method in Enum.GetValues<AdaptationMethod>())
            {
                var r = study.Adapt(new CreditRiskOptions { Source = o.Source, Target = o.Target, Seed = o.Seed, Method = method, HiddenSize = o.HiddenSize, Epochs = o.Epochs, LearningRate = o.LearningRate, Patience = o.Patience, TargetTrainRows = o.TargetTrainRows, Rank = o.Rank, DropoutRate = o.DropoutRate }, pretrained, device, sink);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{method,-8} AUC {r.Test.RocAuc:F3} PR {r.Test.PrAuc:F3} R@P {r.Test.RecallAtPrecision:F3} acc {r.Test.Accuracy:F3} {r.Parameters} best {r.Outcome.BestStep}/{r.Outcome.Steps} {r.Outcome.Seconds:F1}s {r.Outcome.StepMilliseconds:F2}ms/step")).ConfigureAwait(false);
            }

            return 0;
        }, output, error).ConfigureAwait(false);
    }

    private sealed class NullSink : IMetricSink
    {
        public void LogMetric(string key, double value, long step)
        {
        }
    }
}
