namespace PeftSharp.Training.Experiments;

using System;

/// <summary>
/// Marks the member of an <see cref="ExperimentAttribute"/> class that creates the model (a method without parameters
/// or a get-only property). The runner calls it after binding the hyperparameters.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
}
