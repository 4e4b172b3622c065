namespace SentimentLora;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Experiments;
using SentimentLora.Data;

/// <summary>The experiment's command line: train (default), prepare-data, compare, sync, import.</summary>
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

    /// <summary>The command-line entry point. Returns the process exit code.</summary>
    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count > 0 && args[0] is "compare" or "sync")
        {
            return await TrackingCommands.RunAsync(args[0], args.Skip(1).ToList(), output, error).ConfigureAwait(false);
        }

        if (args.Count > 0 && args[0] == "import")
        {
            return await DataCommands.RunAsync(args[0], args.Skip(1).ToList(), output, error).ConfigureAwait(false);
        }

        var prepareDataOnly = args.Count > 0 && args[0] == "prepare-data";
        var options = prepareDataOnly ? args.Skip(1).ToList() : args;
        if (options.Count > 0 && !options[0].StartsWith('-'))
        {
            await error.WriteLineAsync($"error: Unknown command '{options[0]}'. Commands: prepare-data, compare, sync, import (or none to train).\nRun with --help for the options.").ConfigureAwait(false);
            return ExperimentHost.UsageError;
        }

        return await ExperimentHost.RunAsync<SentimentOptions>(
            options, o => RunCommandAsync(o, prepareDataOnly, output, error, cancellationToken), output, error).ConfigureAwait(false);
    }

    private static async Task<int> RunCommandAsync(
        SentimentOptions options, bool prepareDataOnly, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (prepareDataOnly)
            {
                await ReviewsData.PrepareAsync(options.DataDirectory, options.CacheDirectory, output, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            var tracking = TrackingClients.FromEnvironment();
            try
            {
                await SentimentRun.RunAsync(options, tracking, output, cancellationToken: cancellationToken).ConfigureAwait(false);
                return 0;
            }
            finally
            {
                // A server client spools to disk and delivers in the background: disposing flushes it.
                (tracking as IDisposable)?.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
            // 128 + SIGINT, as shells report a program that Ctrl-C stopped.
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
