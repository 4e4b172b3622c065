namespace PeftSharp.Tracking;

/// <summary>A run tag. Unlike parameters, tags may be overwritten.</summary>
/// <param name="Key">The tag name; names starting with <c>mlflow.</c> are MLflow's system tags.</param>
/// <param name="Value">The value, at most <see cref="TrackingValidation.MaxTagValueLength"/> characters.</param>
public sealed record RunTag(string Key, string Value);
