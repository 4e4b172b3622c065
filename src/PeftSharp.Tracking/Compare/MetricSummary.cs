namespace PeftSharp.Tracking;

/// <summary>Which value of a metric's history a comparison shows.</summary>
public enum MetricSummary
{
    /// <summary>The latest point (largest step, then timestamp), as the MLflow UI shows.</summary>
    Final,

    /// <summary>The best point: the minimum for losses and errors (keys containing loss, error, perplexity, mse, mae, rmse), else the maximum.</summary>
    Best,

    /// <summary>The minimum over the history (NaN ignored).</summary>
    Min,

    /// <summary>The maximum over the history (NaN ignored).</summary>
    Max,
}
