namespace PeftSharp.Tests.Vision;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using PeftSharp.Models.Vision;
using PeftSharp.Tests.Data;

/// <summary>
/// Imports ML.NET's ResNet-18 once per test class (the slow part) into a fresh cache folder that starts with a
/// damaged cache file, so the one import also proves a damaged cache is replaced.
/// </summary>
public sealed class ResNetFixture : IDisposable
{
    private readonly TempDirectory cache = new();

    public ResNetFixture()
    {
        File.WriteAllBytes(ResNet18ImageNet.CachePath(cache.Path), [1, 2, 3]);
        var watch = Stopwatch.StartNew();
        Imported = ResNet18ImageNet.LoadStateDict(CacheDirectory);
        ImportSeconds = watch.Elapsed.TotalSeconds;
    }

    public string CacheDirectory => cache.Path;

    public IReadOnlyDictionary<string, (long[] Shape, float[] Values)> Imported { get; }

    public double ImportSeconds { get; }

    public void Dispose() => cache.Dispose();
}
