namespace SentimentLora;

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using PeftSharp.Training.Runner;
using SentimentLora.Data;

/// <summary>The experiment's folders and its own command (prepare-data); the runner adds run, resume, compare, sync, import.</summary>
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

    /// <summary>
    /// <c>prepare-data</c>: fetch the Debian package r-cran-modeldata (apt-get download; cached), read its R data
    /// without R, and write reviews_train.parquet (4000) and reviews_test.parquet (1000). Training does this itself
    /// when the files are missing.
    /// </summary>
    public static ExperimentCommand<SentimentOptions> PrepareData { get; } = new(
        "prepare-data",
        "only fetch the reviews from the Debian package and write the Parquet files (--data-dir, --cache-dir)",
        async (options, output, cancellationToken) =>
        {
            await ReviewsData.PrepareAsync(options.DataDirectory, options.CacheDirectory, output, cancellationToken).ConfigureAwait(false);
            return 0;
        });
}
