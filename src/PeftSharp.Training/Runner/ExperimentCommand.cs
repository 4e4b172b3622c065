namespace PeftSharp.Training.Runner;

using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// An experiment's own command besides training, such as <c>prepare-data</c>: it gets the experiment's options bound
/// from the arguments after its name, so it shares their <c>--help</c>, defaults and validation.
/// </summary>
/// <typeparam name="TOptions">The experiment's options class.</typeparam>
/// <param name="Name">The command word.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
/// <param name="Run">Does the work; returns the exit code (0 for success).</param>
public sealed record ExperimentCommand<TOptions>(string Name, string Description, Func<TOptions, TextWriter, CancellationToken, Task<int>> Run);
