namespace PeftSharp.Generators.Experiments;

using PeftSharp.Generators.Common;

/// <summary>One hyperparameter property, as values only.</summary>
/// <param name="PropertyName">The property identifier as written in C#.</param>
/// <param name="Name">The command-line name.</param>
/// <param name="LogName">The MLflow parameter name.</param>
/// <param name="EnvironmentVariable">The environment variable.</param>
/// <param name="Kind">The <c>ParameterKind</c> member name.</param>
/// <param name="TypeName">The type as <c>--help</c> shows it.</param>
/// <param name="ReadMethod">The <c>ExperimentValues</c> reader, with its type argument for enums.</param>
/// <param name="IsNullable">Whether null is valid.</param>
/// <param name="Description">The description, or empty.</param>
/// <param name="Min">The minimum, or NaN.</param>
/// <param name="Max">The maximum, or NaN.</param>
/// <param name="Allowed">The allowed values.</param>
/// <param name="Sweep">The sweep values.</param>
internal sealed record ParameterModel(
    string PropertyName,
    string Name,
    string LogName,
    string EnvironmentVariable,
    string Kind,
    string TypeName,
    string ReadMethod,
    bool IsNullable,
    string Description,
    double Min,
    double Max,
    EquatableArray<string> Allowed,
    EquatableArray<string> Sweep);
