namespace PeftSharp.Training.Runner;

using PeftSharp.Tracking;

/// <summary>Sends metrics to an MLflow run as they come (<see cref="RunContext.Metrics"/>; training phases buffer theirs: <see cref="BufferedRunMetricSink"/>).</summary>
internal sealed class RunMetricSink(TrackedRun run) : IMetricSink
{
    public void LogMetric(string key, double value, long step) => run.LogMetric(key, value, step);
}
