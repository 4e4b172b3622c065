namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using static TorchSharp.torch;

/// <summary>
/// Loads base-model weights from safetensors checkpoints (a single file or the reference's sharded index) into the
/// existing parameters and buffers of a TorchSharp module.
/// </summary>
public static class CheckpointLoader
{
    /// <summary>The reference's name for a sharded checkpoint's index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>The reference's name for a single-file checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>
    /// Copies the tensors of the checkpoint at <paramref name="path"/> into <paramref name="module"/>'s parameters and
    /// buffers, in place under <c>no_grad</c>: Parameter objects are never replaced, so optimizers and adapters holding
    /// them stay valid, and each value lands on its parameter's device. Everything is checked before anything is
    /// copied: on a mismatch the module is unchanged.
    /// </summary>
    /// <param name="module">The module to fill; its <c>state_dict()</c> keys are the targets.</param>
    /// <param name="path">A <c>.safetensors</c> file, a sharded index (<c>model.safetensors.index.json</c>), or a folder holding either.</param>
    /// <param name="nameMap">Maps a checkpoint key to the module's key, or to null to skip it (for example strip a <c>bert.</c> prefix); identity when null.</param>
    /// <param name="options">Strictness and dtype conversion; <see cref="CheckpointLoadOptions"/>'s defaults when null.</param>
    /// <returns>What was loaded, missing, unexpected, skipped and converted.</returns>
    /// <exception cref="CheckpointMismatchException">
    /// Keys are missing or unexpected (strict), two checkpoint keys map to one module key, or shapes or dtypes differ;
    /// the message lists every problem.
    /// </exception>
    /// <exception cref="SafetensorsFormatException">A checkpoint file is malformed.</exception>
    /// <exception cref="InvalidDataException">The index is malformed or names a shard outside its folder.</exception>
    /// <exception cref="FileNotFoundException">The path, or a shard the index names, does not exist.</exception>
    public static CheckpointLoadReport LoadInto(
        nn.Module module, string path, Func<string, string?>? nameMap = null, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new CheckpointLoadOptions();
        nameMap ??= static key => key;

        var (files, sources) = OpenCheckpoint(path);
        try
        {
            var plan = Plan(module, path, files, sources, nameMap, options);
            foreach (var item in plan.Items)
            {
                using var value = item.File.Load(item.Info.Name);
                using (no_grad())
                {
                    item.Target.copy_(value);
                }
            }

            return plan.Report;
        }
        finally
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
        }
    }

    /// <summary>Finds the checkpoint files for <paramref name="path"/> and which file holds each key.</summary>
    private static (List<SafetensorsFile> Files, Dictionary<string, (SafetensorsFile File, SafetensorsTensorInfo Info)> Sources) OpenCheckpoint(string path)
    {
        if (Directory.Exists(path))
        {
            var index = Path.Combine(path, IndexFileName);
            var single = Path.Combine(path, SingleFileName);
            path = File.Exists(index) ? index
                : File.Exists(single) ? single
                : throw new FileNotFoundException($"The folder '{path}' holds neither '{IndexFileName}' nor '{SingleFileName}'.", single);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The checkpoint '{path}' does not exist.", path);
        }

        var files = new List<SafetensorsFile>();
        var sources = new Dictionary<string, (SafetensorsFile, SafetensorsTensorInfo)>(StringComparer.Ordinal);
        try
        {
            if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                var file = Safetensors.Open(path);
                files.Add(file);
                foreach (var info in file.Tensors)
                {
                    sources.Add(info.Name, (file, info));
                }

                return (files, sources);
            }

            var index = CheckpointIndex.Read(path);
            var byPath = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var shard in index.Shards)
            {
                var file = Safetensors.Open(shard);
                files.Add(file);
                byPath.Add(shard, file);
            }

            foreach (var (name, shard) in index.WeightMap)
            {
                var file = byPath[shard];
                if (!file.Contains(name))
                {
                    throw new InvalidDataException(
                        $"The checkpoint index '{path}' says '{name}' is in '{Path.GetFileName(shard)}', but that shard has no such tensor.");
                }

                sources.Add(name, (file, file[name]));
            }

            return (files, sources);
        }
        catch
        {
            foreach (var file in files)
            {
                file.Dispose();
            }

            throw;
        }
    }

    private static LoadPlan Plan(
        nn.Module module,
        string path,
        List<SafetensorsFile> files,
        Dictionary<string, (SafetensorsFile File, SafetensorsTensorInfo Info)> sources,
        Func<string, string?> nameMap,
        CheckpointLoadOptions options)
    {
        var state = module.state_dict();
        var mapped = new Dictionary<string, string>(StringComparer.Ordinal); // module key -> checkpoint key
        var unexpected = new List<(string CheckpointKey, string ModuleKey)>();
        var skipped = new List<string>();
        var duplicates = new List<string>();
        foreach (var checkpointKey in sources.Keys)
        {
            var moduleKey = nameMap(checkpointKey);
            if (moduleKey is null)
            {
                skipped.Add(checkpointKey);
            }
            else if (!state.ContainsKey(moduleKey))
            {
                unexpected.Add((checkpointKey, moduleKey));
            }
            else if (!mapped.TryAdd(moduleKey, checkpointKey))
            {
                duplicates.Add($"'{moduleKey}' <- '{mapped[moduleKey]}' and '{checkpointKey}'");
            }
        }

        var missing = state.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
        var shapes = new List<CheckpointTensorMismatch>();
        var dtypes = new List<CheckpointTensorMismatch>();
        var items = new List<LoadItem>();
        var converted = new List<string>();
        foreach (var (moduleKey, checkpointKey) in mapped)
        {
            var target = state[moduleKey];
            var (file, info) = sources[checkpointKey];
            var mismatch = new CheckpointTensorMismatch(
                moduleKey, checkpointKey, target.shape, info.Shape, DTypeName(target.dtype), info.DType);
            if (!target.shape.SequenceEqual(info.Shape))
            {
                shapes.Add(mismatch);
            }
            else if (target.dtype != info.ScalarType)
            {
                if (options.AllowDtypeConversion)
                {
                    converted.Add(moduleKey);
                }
                else
                {
                    dtypes.Add(mismatch);
                }
            }

            items.Add(new LoadItem(moduleKey, target, file, info));
        }

        var keysFail = options.Strict && (missing.Count > 0 || unexpected.Count > 0);
        if (keysFail || duplicates.Count > 0 || shapes.Count > 0 || dtypes.Count > 0)
        {
            throw new CheckpointMismatchException(
                Describe(module, path, missing, unexpected, duplicates, shapes, dtypes, options),
                missing,
                unexpected.Select(u => u.CheckpointKey).ToList(),
                duplicates,
                shapes,
                dtypes);
        }

        var report = new CheckpointLoadReport(
            files.Select(f => f.Path).ToList(),
            items.Select(i => i.ModuleKey).ToList(),
            missing,
            unexpected.Select(u => u.CheckpointKey).ToList(),
            skipped,
            converted);
        return new LoadPlan(items, report);
    }

    private static string Describe(
        nn.Module module,
        string path,
        List<string> missing,
        List<(string CheckpointKey, string ModuleKey)> unexpected,
        List<string> duplicates,
        List<CheckpointTensorMismatch> shapes,
        List<CheckpointTensorMismatch> dtypes,
        CheckpointLoadOptions options)
    {
        var counts = new List<string>();
        void Count(int n, string what)
        {
            if (n > 0)
            {
                var plural = what.EndsWith("ch", StringComparison.Ordinal) ? "es" : "s";
                counts.Add($"{n.ToString(CultureInfo.InvariantCulture)} {what}{(n == 1 ? string.Empty : plural)}");
            }
        }

        var reportKeys = options.Strict;
        if (reportKeys)
        {
            Count(missing.Count, "missing key");
            Count(unexpected.Count, "unexpected key");
        }

        Count(duplicates.Count, "duplicate mapping");
        Count(shapes.Count, "shape mismatch");
        Count(dtypes.Count, "dtype mismatch");

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The checkpoint '{path}' does not fit the module {module.GetType().Name}: {string.Join(", ", counts)}. Nothing was loaded.");
        if (missing.Count > 0)
        {
            text.Append("\nMissing keys (in the module, not in the checkpoint):");
            var candidates = unexpected.Select(u => u.ModuleKey).Distinct(StringComparer.Ordinal).ToList();
            foreach (var key in missing)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {key}");
                var closest = NameSuggestions.Closest(key, candidates, 2);
                if (closest.Count > 0)
                {
                    var shown = closest.Select(c =>
                    {
                        var original = unexpected.First(u => u.ModuleKey == c).CheckpointKey;
                        return original == c ? $"'{c}'" : $"'{original}' (mapped to '{c}')";
                    });
                    text.Append(CultureInfo.InvariantCulture, $" (closest in the checkpoint: {string.Join(", ", shown)})");
                }
            }
        }

        if (unexpected.Count > 0)
        {
            text.Append("\nUnexpected keys (in the checkpoint, not in the module):");
            foreach (var (checkpointKey, moduleKey) in unexpected)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {checkpointKey}{(checkpointKey == moduleKey ? string.Empty : $" (mapped to '{moduleKey}')")}");
            }
        }

        if (duplicates.Count > 0)
        {
            text.Append("\nSeveral checkpoint keys map to one module key:");
            foreach (var duplicate in duplicates)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {duplicate}");
            }
        }

        if (shapes.Count > 0)
        {
            text.Append("\nShape mismatches:");
            foreach (var mismatch in shapes)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {mismatch.Describe(shape: true)}");
            }
        }

        if (dtypes.Count > 0)
        {
            text.Append("\nDtype mismatches (set CheckpointLoadOptions.AllowDtypeConversion to convert):");
            foreach (var mismatch in dtypes)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  {mismatch.Describe(shape: false)}");
            }
        }

        if (missing.Any(k => k.Contains(".base_layer.", StringComparison.Ordinal)))
        {
            text.Append(
                "\nThe module already carries adapters (its keys contain '.base_layer.'): load base weights before applying adapters, " +
                "or map 'x.weight' to 'x.base_layer.weight' and load non-strictly so the adapter keys may stay missing.");
        }

        if (missing.Count > 0 || unexpected.Count > 0)
        {
            text.Append(
                "\nFix: pass a nameMap that maps each checkpoint key to the module's state-dict key (return null to skip a key)" +
                (options.Strict ? ", or CheckpointLoadOptions { Strict = false } to load the keys that match." : "."));
        }

        return text.ToString();
    }

    private static string DTypeName(ScalarType type)
    {
        try
        {
            return SafetensorsDTypes.FromScalarType(type);
        }
        catch (NotSupportedException)
        {
            return type.ToString();
        }
    }

    private sealed record LoadItem(string ModuleKey, Tensor Target, SafetensorsFile File, SafetensorsTensorInfo Info);

    private sealed record LoadPlan(List<LoadItem> Items, CheckpointLoadReport Report);
}
