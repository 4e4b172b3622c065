namespace PeftSharp.Benchmarks;

/// <summary>One benchmark, chosen by its <see cref="Name"/> on the command line.</summary>
internal interface IBenchmark
{
    /// <summary>The command-line name, for example "adapters".</summary>
    string Name { get; }

    /// <summary>One line for the list of benchmarks.</summary>
    string Description { get; }

    /// <summary>The options it accepts, one per line, for --help.</summary>
    string Usage { get; }

    /// <summary>Runs the benchmark and prints its results; returns the process exit code.</summary>
    int Run(BenchmarkArguments arguments);
}
