namespace PeftSharp.Training.Experiments;

using System;

/// <summary>A hyperparameter could not be bound: the message names the parameter, where the value came from and what is valid.</summary>
public sealed class ExperimentBindingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExperimentBindingException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public ExperimentBindingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public ExperimentBindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
