namespace FashionResNetLora;

using System;
using System.IO;
using System.Linq;
using System.Reflection;

/// <summary>Default folders of the experiment: inside its project directory, ignored by git.</summary>
public static class ExperimentPaths
{
    /// <summary>The project directory recorded at build time (the output folder when run elsewhere).</summary>
    public static string ProjectDirectory =>
        typeof(ExperimentPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value ?? AppContext.BaseDirectory;

    /// <summary>Default folder of the prepared Parquet files.</summary>
    public static string DefaultDataDirectory => Path.Combine(ProjectDirectory, "data");

    /// <summary>Default folder of downloaded Debian packages.</summary>
    public static string DefaultCacheDirectory => Path.Combine(ProjectDirectory, ".cache");
}
