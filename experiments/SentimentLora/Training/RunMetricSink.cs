namespace SentimentLora.Training;

using PeftSharp.Tracking;
using PeftSharp.Training;

/// <summary>Sends training metrics to an MLflow run.</summary>
internal sealed class RunMetricSink(TrackedRun run) : IMetricSink
{
    public void LogMetric(string key, double value, long step) => run.LogMetric(key, value, step);
}
