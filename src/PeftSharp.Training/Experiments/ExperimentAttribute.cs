namespace PeftSharp.Training.Experiments;

using System;

/// <summary>
/// Declares a partial class as an experiment. The PeftSharp source generator implements
/// <see cref="IExperiment{TSelf}"/> on it: binding of its hyperparameter properties from the command line, environment
/// variables and a JSON file, <c>--help</c>, validation, the MLflow parameter dictionary and sweeps.
/// </summary>
/// <remarks>
/// Every public instance property with a public <c>set</c> or <c>init</c> accessor is a hyperparameter;
/// <see cref="HyperparameterAttribute"/> adds a description, ranges and sweep values. The class must have a public
/// parameterless constructor (property initialisers are the defaults), one <see cref="ModelAttribute"/> member and one
/// <see cref="DatasetAttribute"/> member.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ExperimentAttribute : Attribute
{
    /// <summary>Creates the attribute for the experiment <paramref name="name"/> (the MLflow experiment name).</summary>
    public ExperimentAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The experiment's name.</summary>
    public string Name { get; }

    /// <summary>One paragraph for the <c>--help</c> text.</summary>
    public string? Description { get; set; }
}
