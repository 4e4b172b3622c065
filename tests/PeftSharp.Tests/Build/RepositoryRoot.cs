namespace PeftSharp.Tests.Build;

using System;
using System.IO;
using System.Linq;
using System.Reflection;

/// <summary>The repository checkout the tests were built from (recorded by the build as assembly metadata).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var recorded = typeof(RepositoryRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepositoryRoot").Value;
        if (recorded is null || !File.Exists(System.IO.Path.Combine(recorded, "Experiments.sln")))
        {
            throw new InvalidOperationException($"The recorded repository root '{recorded}' holds no Experiments.sln; rebuild the tests.");
        }

        return recorded;
    }
}
