namespace PeftSharp.Training.Experiments;

using System;

/// <summary>
/// Describes one hyperparameter property of an <see cref="ExperimentAttribute"/> class. Without it a public settable
/// property is still a hyperparameter, named after the property in kebab case (<c>LearningRate</c> is <c>--learning-rate</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class HyperparameterAttribute : Attribute
{
    /// <summary>The command-line name without dashes; defaults to the property name in kebab case.</summary>
    public string? Name { get; set; }

    /// <summary>What the parameter does, shown by <c>--help</c>.</summary>
    public string? Description { get; set; }

    /// <summary>The smallest valid value of a numeric parameter (inclusive); NaN when unbounded.</summary>
    public double Min { get; set; } = double.NaN;

    /// <summary>The largest valid value of a numeric parameter (inclusive); NaN when unbounded.</summary>
    public double Max { get; set; } = double.NaN;

    /// <summary>The only valid values, written as on the command line (enums are restricted to their members anyway).</summary>
    public string[]? Allowed { get; set; }

    /// <summary>The values a sweep tries, written as on the command line.</summary>
    public string[]? Sweep { get; set; }

    /// <summary>The environment variable read when the command line does not set the parameter; defaults to <c>PEFTSHARP_</c> and the name in upper snake case.</summary>
    public string? EnvironmentVariable { get; set; }
}
