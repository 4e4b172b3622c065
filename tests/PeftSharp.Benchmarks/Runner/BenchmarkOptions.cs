namespace PeftSharp.Benchmarks.Runner;

using System.Collections.Generic;
using PeftSharp.Training.Experiments;

/// <summary>An experiment without hyperparameters: the benchmark drives the runner with its own sizes.</summary>
internal sealed class BenchmarkOptions : IExperiment<BenchmarkOptions>
{
    public static ExperimentInfo Info { get; } = new("runner-benchmark", string.Empty, [], string.Empty, string.Empty);

    public static BenchmarkOptions Bind(ExperimentValues values) => new();

    public IReadOnlyDictionary<string, string?> ParameterValues() => new Dictionary<string, string?>();
}
