namespace PeftSharp.Benchmarks;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Benchmarks.Adapters;
using PeftSharp.Benchmarks.Data;
using PeftSharp.Benchmarks.Platform;
using PeftSharp.Benchmarks.Runner;
using PeftSharp.Benchmarks.Tracking;

/// <summary>
/// Entry point: the first argument picks the benchmark. To add one, implement <see cref="IBenchmark"/> in its own
/// folder and list it in <see cref="All"/>.
/// </summary>
internal static class Program
{
    private static readonly IReadOnlyList<IBenchmark> All =
    [
        new AdapterBenchmark(),
        new DataBenchmark(),
        new TrackingBenchmark(),
        new RunnerBenchmark(),
        new OneDnnBenchmark(),
    ];

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp();
            return args.Length == 0 ? 2 : 0;
        }

        var benchmark = All.FirstOrDefault(b => string.Equals(b.Name, args[0], StringComparison.Ordinal));
        if (benchmark is null)
        {
            Console.Error.WriteLine($"Unknown benchmark '{args[0]}'. Available: {string.Join(", ", All.Select(b => b.Name))}.");
            return 2;
        }

        BenchmarkArguments arguments;
        try
        {
            arguments = BenchmarkArguments.Parse(args.Skip(1));
            if (arguments.Help)
            {
                Console.WriteLine($"{benchmark.Name}: {benchmark.Description}\nOptions:\n{benchmark.Usage}");
                return 0;
            }

            return benchmark.Run(arguments);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{benchmark.Name}: {e.Message}\nOptions:\n{benchmark.Usage}");
            return 2;
        }
    }

    private static void PrintHelp()
    {
        Console.WriteLine("Usage: dotnet run -c Release --project tests/PeftSharp.Benchmarks -- <benchmark> [options]");
        Console.WriteLine("Benchmarks:");
        foreach (var benchmark in All)
        {
            Console.WriteLine($"  {benchmark.Name,-12} {benchmark.Description}");
        }

        Console.WriteLine("`<benchmark> --help` lists its options.");
    }
}
