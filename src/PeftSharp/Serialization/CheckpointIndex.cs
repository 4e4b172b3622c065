namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

/// <summary>
/// The sharded-checkpoint index of the reference (<c>model.safetensors.index.json</c>):
/// <c>{"metadata": {...}, "weight_map": {"tensor name": "shard file name"}}</c>. Shard names are validated to stay
/// inside the index's folder, so a hostile index cannot make the loader read arbitrary files.
/// </summary>
internal sealed class CheckpointIndex
{
    private CheckpointIndex(IReadOnlyDictionary<string, string> weightMap, IReadOnlyList<string> shards)
    {
        WeightMap = weightMap;
        Shards = shards;
    }

    /// <summary>Tensor name to the full path of its shard.</summary>
    public IReadOnlyDictionary<string, string> WeightMap { get; }

    /// <summary>The distinct shard paths, in order of first appearance.</summary>
    public IReadOnlyList<string> Shards { get; }

    public static CheckpointIndex Read(string indexPath)
    {
        const long MaxIndexBytes = 100_000_000;
        var length = new FileInfo(indexPath).Length;
        if (length > MaxIndexBytes)
        {
            throw Invalid(indexPath, $"it has {length} bytes; an index over {MaxIndexBytes} bytes is not plausible.");
        }

        var folder = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(indexPath)) ?? ".");
        var folderPrefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw Invalid(indexPath, $"it is not valid JSON ({e.Message.TrimEnd('.')}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(indexPath, $"it must be a JSON object with a \"weight_map\", but it is a JSON {document.RootElement.ValueKind}.");
            }

            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(indexPath, "it has no \"weight_map\" object mapping tensor names to shard files.");
            }

            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            var shards = new List<string>();
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw Invalid(indexPath, $"the shard of '{entry.Name}' in \"weight_map\" must be a file name string, but it is a JSON {entry.Value.ValueKind}.");
                }

                var shard = entry.Value.GetString()!;
                var full = ResolveShard(indexPath, folder, folderPrefix, entry.Name, shard);
                if (!weightMap.TryAdd(entry.Name, full))
                {
                    throw Invalid(indexPath, $"the tensor name '{entry.Name}' appears more than once in \"weight_map\".");
                }

                if (!shards.Contains(full, StringComparer.Ordinal))
                {
                    shards.Add(full);
                }
            }

            return new CheckpointIndex(weightMap, shards);
        }
    }

    private static string ResolveShard(string indexPath, string folder, string folderPrefix, string tensor, string shard)
    {
        // Shards are plain file names beside the index in the reference; subfolders are tolerated, escaping the folder
        // (absolute paths, "..", drive or UNC roots) is not.
        if (shard.Length == 0 || Path.IsPathRooted(shard) || shard.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(indexPath, $"the shard '{shard}' of '{tensor}' must be a file name relative to the index's folder '{folder}'.");
        }

        var full = Path.GetFullPath(Path.Combine(folder, shard));
        if (!full.StartsWith(folderPrefix, StringComparison.Ordinal))
        {
            throw Invalid(indexPath, $"the shard '{shard}' of '{tensor}' points outside the index's folder '{folder}'; shard files must be inside it.");
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException(
                $"The checkpoint index '{indexPath}' names the shard '{shard}' (for '{tensor}'), which does not exist in '{folder}'.", full);
        }

        return full;
    }

    private static InvalidDataException Invalid(string indexPath, string detail, Exception? inner = null) =>
        new($"'{indexPath}' is not a valid sharded-checkpoint index: {detail}", inner);
}
