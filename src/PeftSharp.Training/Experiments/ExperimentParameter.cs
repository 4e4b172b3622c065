namespace PeftSharp.Training.Experiments;

using System.Collections.Generic;

/// <summary>Metadata of one hyperparameter, generated from the experiment class at compile time.</summary>
/// <param name="PropertyName">The C# property.</param>
/// <param name="Name">The command-line name without dashes (<c>learning-rate</c>), also the JSON config key.</param>
/// <param name="LogName">The MLflow parameter key (<c>learning_rate</c>).</param>
/// <param name="EnvironmentVariable">The environment variable that sets it (<c>PEFTSHARP_LEARNING_RATE</c>).</param>
/// <param name="Kind">The value type.</param>
/// <param name="TypeName">The type as shown by <c>--help</c> (<c>double</c>, <c>int?</c>, <c>Optimizer</c>).</param>
/// <param name="IsNullable">Whether <c>null</c> (unset) is a valid value.</param>
/// <param name="Description">What it does, or empty.</param>
/// <param name="Min">The inclusive minimum, or null.</param>
/// <param name="Max">The inclusive maximum, or null.</param>
/// <param name="Allowed">The only valid values (for enums, the member names), or empty.</param>
/// <param name="Sweep">The values a sweep tries, or empty.</param>
public sealed record ExperimentParameter(
    string PropertyName,
    string Name,
    string LogName,
    string EnvironmentVariable,
    ParameterKind Kind,
    string TypeName,
    bool IsNullable,
    string Description,
    double? Min,
    double? Max,
    IReadOnlyList<string> Allowed,
    IReadOnlyList<string> Sweep);
