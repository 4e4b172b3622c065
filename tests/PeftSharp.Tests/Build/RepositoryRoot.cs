namespace PeftSharp.Tests.Build;

using System;
using System.IO;

/// <summary>Finds the repository checkout the tests were built from.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Experiments.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Experiments.sln above {AppContext.BaseDirectory}.");
    }
}
