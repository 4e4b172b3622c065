namespace PeftSharp.Training;

/// <summary>Where a training loop reports metrics (an MLflow run, a test recorder).</summary>
public interface IMetricSink
{
    /// <summary>Records <paramref name="value"/> of metric <paramref name="key"/> at <paramref name="step"/>.</summary>
    void LogMetric(string key, double value, long step);
}
