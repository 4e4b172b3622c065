namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

/// <summary>
/// The comparison table of the methods that ran (mean ± standard deviation over seeds) and the verdict on the PEFT
/// claim: LoRA's test ROC AUC within <see cref="Margin"/> of full fine-tuning's, paired by seed.
/// </summary>
public static class ComparisonReport
{
    /// <summary>The stated margin: LoRA may trail full fine-tuning by at most this much test ROC AUC (mean over seeds).</summary>
    public const double Margin = 0.02;

    /// <summary>Formats the table and the verdict as Markdown.</summary>
    public static string Format(IReadOnlyList<MethodResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder();
        var seeds = results.Select(r => r.Seed).Distinct().Order().ToList();
        var first = results[0].Test;
        text.AppendLine(Invariant($"Target test loans per seed: {first.Rows} ({first.BadRate:P1} bad). Mean ± sd over seeds {string.Join(", ", seeds)}."));
        text.AppendLine();
        text.AppendLine(Invariant($"| Method | ROC AUC | PR AUC | Recall @ precision {first.MinPrecision:F2} | Accuracy | Trainable params | Train s | ms/step | Peak RSS MB |"));
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var before = results.Where(r => r.Before is not null).GroupBy(r => r.Seed).Select(g => g.First().Before!).ToList();
        if (before.Count > 0)
        {
            text.AppendLine(Invariant(
                $"| pretrained, not adapted | {Stat(before.Select(b => b.RocAuc))} | {Stat(before.Select(b => b.PrAuc))} | {Stat(before.Select(b => b.RecallAtPrecision))} | {Stat(before.Select(b => b.Accuracy))} | 0 | - | - | - |"));
        }

        foreach (var group in results.GroupBy(r => r.Method).OrderBy(g => g.Key))
        {
            var r = group.ToList();
            var parameters = r[0].Parameters;
            var peaks = r.Where(x => x.PeakRssMegabytes is not null).Select(x => x.PeakRssMegabytes!.Value).ToList();
            text.AppendLine(Invariant(
                $"| {group.Key} | {Stat(r.Select(x => x.Test.RocAuc))} | {Stat(r.Select(x => x.Test.PrAuc))} | {Stat(r.Select(x => x.Test.RecallAtPrecision))} | {Stat(r.Select(x => x.Test.Accuracy))} | {parameters.Trainable:N0} ({parameters.TrainablePercent:F1}%) | {r.Average(x => x.Outcome.Seconds):F1} | {r.Average(x => x.Outcome.StepMilliseconds):F2} | {(peaks.Count > 0 ? peaks.Average().ToString("F0", CultureInfo.InvariantCulture) : "-")} |"));
        }

        text.AppendLine();
        text.AppendLine(Verdict(results));
        return text.ToString();
    }

    /// <summary>The verdict line, or why there is none.</summary>
    public static string Verdict(IReadOnlyList<MethodResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var lora = results.Where(r => r.Method == AdaptationMethod.Lora).ToDictionary(r => r.Seed);
        var full = results.Where(r => r.Method == AdaptationMethod.Full).ToDictionary(r => r.Seed);
        var paired = lora.Keys.Intersect(full.Keys).Order().ToList();
        if (paired.Count == 0)
        {
            return "No verdict: LoRA and full fine-tuning did not both run for a seed.";
        }

        var differences = paired.Select(s => lora[s].Test.RocAuc - full[s].Test.RocAuc).ToList();
        var mean = differences.Average();
        var share = lora[paired[0]].Parameters.Trainable / (double)full[paired[0]].Parameters.Trainable;
        return Invariant(
            $"LoRA - full fine-tuning, test ROC AUC paired by seed: {mean:+0.000;-0.000} (sd {Deviation(differences):F3}, {paired.Count} seeds); margin -{Margin:F2}: {(mean >= -Margin ? "MET" : "NOT MET")}, training {share:P1} of full fine-tuning's parameters.");
    }

    private static string Stat(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 1 ? Invariant($"{list[0]:F3}") : Invariant($"{list.Average():F3} ± {Deviation(list):F3}");
    }

    // Sample standard deviation (n - 1); 0 for a single value.
    private static double Deviation(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
