namespace PeftSharp.Tests.Models;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using PeftSharp.Models.MiniLm;
using PeftSharp.Tests.Data;

/// <summary>
/// Imports all-MiniLM-L6-v2 once per test class (the slow part) into a fresh cache folder that starts with a damaged
/// cache file, so the one import also proves a damaged cache is replaced.
/// </summary>
public sealed class MiniLmFixture : IDisposable
{
    private readonly TempDirectory cache = new();

    public MiniLmFixture()
    {
        File.WriteAllBytes(MiniLmL6V2.CachePath(cache.Path), [1, 2, 3]);
        var watch = Stopwatch.StartNew();
        Imported = MiniLmL6V2.LoadStateDict(CacheDirectory);
        ImportSeconds = watch.Elapsed.TotalSeconds;
    }

    public string CacheDirectory => cache.Path;

    public IReadOnlyDictionary<string, (long[] Shape, float[] Values)> Imported { get; }

    public double ImportSeconds { get; }

    public void Dispose() => cache.Dispose();
}
