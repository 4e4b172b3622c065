namespace PeftSharp.Training.Experiments;

using System.Collections.Generic;

/// <summary>An experiment class; the PeftSharp source generator implements it on every <see cref="ExperimentAttribute"/> class.</summary>
/// <typeparam name="TSelf">The experiment class itself.</typeparam>
public interface IExperiment<TSelf>
    where TSelf : IExperiment<TSelf>
{
    /// <summary>The experiment's name and hyperparameter metadata.</summary>
    static abstract ExperimentInfo Info { get; }

    /// <summary>Creates an instance with the defaults replaced by the values in <paramref name="values"/>, validated.</summary>
    /// <exception cref="ExperimentBindingException">A value is malformed or out of range; the message names the parameter, its source and the valid values.</exception>
    static abstract TSelf Bind(ExperimentValues values);

    /// <summary>Every hyperparameter's current value formatted invariantly, keyed by command-line name (null when unset).</summary>
    IReadOnlyDictionary<string, string?> ParameterValues();
}
