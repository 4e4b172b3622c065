namespace PeftSharp.Training.Experiments;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>
/// Sweep expansion over the values declared with <see cref="HyperparameterAttribute.Sweep"/>. A parameter set on the
/// command line is held fixed; the others vary.
/// </summary>
public static class ExperimentSweep
{
    /// <summary>Every combination of the sweep values (the last parameter varies fastest); one empty assignment when nothing sweeps.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> GridAssignments(IEnumerable<ExperimentParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        IEnumerable<Dictionary<string, string>> points = [new Dictionary<string, string>(StringComparer.Ordinal)];
        foreach (var parameter in parameters.Where(p => p.Sweep.Count > 0))
        {
            points = points.SelectMany(point => parameter.Sweep.Select(value =>
                new Dictionary<string, string>(point, StringComparer.Ordinal) { [parameter.Name] = value })).ToList();
        }

        return points.ToList();
    }

    /// <summary><paramref name="count"/> independent uniform picks from each parameter's sweep values, reproducible from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> RandomAssignments(IEnumerable<ExperimentParameter> parameters, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var swept = parameters.Where(p => p.Sweep.Count > 0).ToList();

        // A seeded System.Random has produced the same sequence on every .NET version; it is not for security.
#pragma warning disable CA5394
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => (IReadOnlyDictionary<string, string>)swept.ToDictionary(p => p.Name, p => p.Sweep[random.Next(p.Sweep.Count)], StringComparer.Ordinal))
            .ToList();
#pragma warning restore CA5394
    }

    /// <summary>The bound experiments of a grid sweep over the parameters not set on the command line.</summary>
    public static IReadOnlyList<T> Grid<T>(IReadOnlyList<string> args, Func<string, string?>? environment = null)
        where T : IExperiment<T>
    {
        var fixedValues = ExperimentValues.Resolve(T.Info, args, environment);
        return Bind<T>(args, environment, GridAssignments(Free(T.Info, fixedValues)));
    }

    /// <summary>The bound experiments of a random sweep of <paramref name="count"/> trials over the parameters not set on the command line.</summary>
    public static IReadOnlyList<T> Random<T>(IReadOnlyList<string> args, int count, int seed, Func<string, string?>? environment = null)
        where T : IExperiment<T>
    {
        var fixedValues = ExperimentValues.Resolve(T.Info, args, environment);
        return Bind<T>(args, environment, RandomAssignments(Free(T.Info, fixedValues), count, seed));
    }

    /// <summary>The sweep <paramref name="values"/> asks for (<c>--sweep</c>), or the single run when it asks for none.</summary>
    public static IReadOnlyList<T> FromValues<T>(IReadOnlyList<string> args, ExperimentValues values, Func<string, string?>? environment = null)
        where T : IExperiment<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.SweepMode switch
        {
            "grid" => Grid<T>(args, environment),
            "random" => Random<T>(args, values.Trials, values.SweepSeed, environment),
            _ => [T.Bind(values)],
        };
    }

    /// <summary>
    /// The sweep points <paramref name="values"/> asks for (<c>--sweep</c>), each an assignment of the swept
    /// parameters keyed by command-line name; one empty assignment for a single run.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Assignments(ExperimentInfo info, ExperimentValues values)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(values);
        return values.SweepMode switch
        {
            "grid" => GridAssignments(Free(info, values)),
            "random" => RandomAssignments(Free(info, values), values.Trials, values.SweepSeed),
            _ => [new Dictionary<string, string>(StringComparer.Ordinal)],
        };
    }

    private static IEnumerable<ExperimentParameter> Free(ExperimentInfo info, ExperimentValues values) =>
        info.Parameters.Where(p => !values.IsFromCommandLine(p));

    private static List<T> Bind<T>(IReadOnlyList<string> args, Func<string, string?>? environment, IReadOnlyList<IReadOnlyDictionary<string, string>> points)
        where T : IExperiment<T> =>
        points.Select(point => T.Bind(ExperimentValues.Resolve(T.Info, args, environment, point))).ToList();
}
