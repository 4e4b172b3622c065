namespace BreastCancerLora;

using PeftSharp.Training;

/// <summary>Renames a phase's metrics (train/loss becomes pretrain/loss) so two phases share one run.</summary>
internal sealed class PrefixedMetricSink(IMetricSink inner, string prefix) : IMetricSink
{
    public void LogMetric(string key, double value, long step) =>
        inner.LogMetric(prefix + (key.StartsWith("train/", System.StringComparison.Ordinal) ? key["train/".Length..] : key), value, step);
}
