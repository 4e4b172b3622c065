namespace PeftSharp.Training.Runner;

using System.Collections.Generic;
using PeftSharp.Training.Experiments;

/// <summary>The command line bound: the raw values (sweep mode) and the trials; <see cref="Help"/> when --help was answered.</summary>
internal sealed record BoundArguments<TOptions>(ExperimentValues? Values, IReadOnlyList<Trial<TOptions>> Trials)
{
    public static BoundArguments<TOptions> Help { get; } = new(null, []);
}
