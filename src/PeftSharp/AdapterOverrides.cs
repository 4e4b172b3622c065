namespace PeftSharp;

/// <summary>
/// Experiment-level values that replace the attribute values of every adapter in a plan (for example <c>--rank 16</c>);
/// a null member keeps the attribute's value.
/// </summary>
/// <param name="Rank">Replacement rank, or null.</param>
/// <param name="Alpha">Replacement alpha, or null.</param>
/// <param name="Dropout">Replacement dropout, or null.</param>
public sealed record AdapterOverrides(int? Rank = null, double? Alpha = null, double? Dropout = null);
