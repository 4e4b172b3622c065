namespace PeftSharp.Tracking;

/// <summary>A run parameter. Parameters are write-once: a run may log the same value again, never a different one.</summary>
/// <param name="Key">The parameter name.</param>
/// <param name="Value">The value, at most <see cref="TrackingValidation.MaxParamValueLength"/> characters.</param>
public sealed record Param(string Key, string Value);
