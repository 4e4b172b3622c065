namespace PeftSharp.Tests.Platform;

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;

/// <summary>Where the native files the Platform tests inspect live on this machine.</summary>
public static class NativeLibraryLocations
{
    public const string ShimFileName = "libLibTorchSharp.so";

    /// <summary>The libstdc++ mapped into this (test) process; the same one TorchSharp's shim binds to.</summary>
    public static string? LoadedLibStdCxx()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        return File.ReadLines(maps)
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? line[slash..].Trim() : string.Empty)
            .FirstOrDefault(path => Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal));
    }

    /// <summary>The shim next to the test assembly: runtimes/&lt;rid&gt;/native/ for RID-less builds, else the root.</summary>
    public static string? ShimInOutput()
    {
        string root = AppContext.BaseDirectory;
        string nested = Path.Combine(root, "runtimes", "linux-x64", "native", ShimFileName);
        if (File.Exists(nested))
        {
            return nested;
        }

        string flat = Path.Combine(root, ShimFileName);
        return File.Exists(flat) ? flat : null;
    }

    /// <summary>
    /// The shim in the NuGet package cache for the TorchSharp version this test assembly was built against
    /// (NUGET_PACKAGES, else ~/.nuget/packages; the package folder comes from the deps.json).
    /// </summary>
    public static string ShimInNuGetCache()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        string depsFile = Path.Combine(AppContext.BaseDirectory, Assembly.GetExecutingAssembly().GetName().Name + ".deps.json");
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        JsonProperty torchSharp = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .First(library => library.Name.StartsWith("TorchSharp/", StringComparison.Ordinal));
        string packageFolder = torchSharp.Value.GetProperty("path").GetString()
            ?? throw new InvalidOperationException("deps.json gives no path for " + torchSharp.Name);

        return Path.Combine(packages, packageFolder, "runtimes", "linux-x64", "native", ShimFileName);
    }
}
