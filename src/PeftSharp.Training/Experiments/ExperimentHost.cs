namespace PeftSharp.Training.Experiments;

using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

/// <summary>
/// The one-line entry point of an experiment project:
/// <c>return await ExperimentHost.RunAsync&lt;MyExperiment&gt;(args, e =&gt; e.RunAsync());</c>.
/// Binds the hyperparameters, prints <c>--help</c>, reports binding errors (exit code 2) and runs one experiment or
/// each point of a <c>--sweep</c> in turn.
/// </summary>
public static class ExperimentHost
{
    /// <summary>The exit code for invalid arguments.</summary>
    public const int UsageError = 2;

    /// <summary>Binds <typeparamref name="T"/> from <paramref name="args"/> and the environment and runs <paramref name="run"/> on it.</summary>
    /// <returns>0 after <c>--help</c>, <see cref="UsageError"/> for invalid arguments, otherwise the largest exit code <paramref name="run"/> returned.</returns>
    public static async Task<int> RunAsync<T>(
        IReadOnlyList<string> args,
        Func<T, Task<int>> run,
        TextWriter? output = null,
        TextWriter? error = null,
        Func<string, string?>? environment = null)
        where T : IExperiment<T>
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(run);
        output ??= Console.Out;
        error ??= Console.Error;
        IReadOnlyList<T> experiments;
        try
        {
            var values = ExperimentValues.Resolve(T.Info, args, environment);
            if (values.HelpRequested)
            {
                await output.WriteAsync(HelpText<T>()).ConfigureAwait(false);
                return 0;
            }

            experiments = ExperimentSweep.FromValues<T>(args, values, environment);
        }
        catch (ExperimentBindingException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help to list the options.").ConfigureAwait(false);
            return UsageError;
        }

        var exitCode = 0;
        foreach (var experiment in experiments)
        {
            exitCode = Math.Max(exitCode, await run(experiment).ConfigureAwait(false));
        }

        return exitCode;
    }

    /// <summary>The <c>--help</c> text of <typeparamref name="T"/>, with the defaults of a default instance.</summary>
    public static string HelpText<T>()
        where T : IExperiment<T> =>
        ExperimentHelp.Format(T.Info, T.Bind(ExperimentValues.Empty(T.Info)).ParameterValues());
}
