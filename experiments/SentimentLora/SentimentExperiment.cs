namespace SentimentLora;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using SentimentLora.Data;

/// <summary>The experiment's command line. For now: <c>prepare-data</c>.</summary>
public static class SentimentExperiment
{
    /// <summary>The project folder recorded at build time (data and cache default to folders in it).</summary>
    public static string ProjectDirectory =>
        typeof(SentimentExperiment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? AppContext.BaseDirectory;

    /// <summary>Default folder of the Parquet files (ignored by git).</summary>
    public static string DefaultDataDirectory => Path.Combine(ProjectDirectory, "data");

    /// <summary>Default folder of downloaded packages (ignored by git).</summary>
    public static string DefaultCacheDirectory => Path.Combine(ProjectDirectory, ".cache");

    /// <summary>Usage text.</summary>
    public const string Help = """
        Usage: SentimentLora prepare-data [--data-dir DIR] [--cache-dir DIR]

          prepare-data   Fetch the Debian package r-cran-modeldata (apt-get download; cached), read its R data
                         without R, and write data/reviews_train.parquet (4000) and data/reviews_test.parquet (1000).
        """;

    /// <summary>The command-line entry point. Returns the process exit code.</summary>
    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            await output.WriteLineAsync(Help).ConfigureAwait(false);
            return args.Count == 0 ? 2 : 0;
        }

        var dataDirectory = DefaultDataDirectory;
        var cacheDirectory = DefaultCacheDirectory;
        for (var i = 1; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--data-dir" when value is not null:
                    dataDirectory = value;
                    i++;
                    break;
                case "--cache-dir" when value is not null:
                    cacheDirectory = value;
                    i++;
                    break;
                default:
                    await error.WriteLineAsync($"error: unknown or incomplete option '{args[i]}'.\n{Help}").ConfigureAwait(false);
                    return 2;
            }
        }

        if (args[0] != "prepare-data")
        {
            await error.WriteLineAsync($"error: unknown command '{args[0]}'.\n{Help}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await ReviewsData.PrepareAsync(dataDirectory, cacheDirectory, output, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
