namespace PeftSharp.Training.Runner;

using System;

/// <summary>One of the runner's own command-line options (see <see cref="RunnerOptions"/>).</summary>
/// <param name="Name">The name without dashes.</param>
/// <param name="TypeName">The value type shown by <c>--help</c>.</param>
/// <param name="Description">What it does, for <c>--help</c>.</param>
/// <param name="IsFlag">A bare <c>--name</c> means true.</param>
/// <param name="Apply">Returns the settings with the (validated) value applied; throws <see cref="Experiments.ExperimentBindingException"/> for a bad value.</param>
public sealed record RunnerOption(string Name, string TypeName, string Description, bool IsFlag, Func<RunSettings, string, RunSettings> Apply);
