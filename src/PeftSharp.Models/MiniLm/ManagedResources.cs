namespace PeftSharp.Models.MiniLm;

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

/// <summary>
/// Reads managed resources embedded in a .NET assembly file through its metadata, without loading the assembly
/// (so no code of the package runs and its target framework does not matter).
/// </summary>
public static class ManagedResources
{
    /// <summary>The names of the resources embedded in <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a .NET assembly.</exception>
    public static IReadOnlyList<string> List(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = Metadata(pe, assemblyPath);
        var names = new List<string>();
        foreach (var handle in metadata.ManifestResources)
        {
            names.Add(metadata.GetString(metadata.GetManifestResource(handle).Name));
        }

        return names;
    }

    /// <summary>The bytes of the embedded resource <paramref name="resourceName"/> in <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="InvalidDataException">Not an assembly, no such embedded resource (the message lists those present), or a length that runs past the resources section.</exception>
    public static byte[] Read(string assemblyPath, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        ArgumentNullException.ThrowIfNull(resourceName);
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = Metadata(pe, assemblyPath);
        var names = new List<string>();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            names.Add(name);
            if (!string.Equals(name, resourceName, StringComparison.Ordinal))
            {
                continue;
            }

            if (!resource.Implementation.IsNil)
            {
                throw new InvalidDataException($"Resource '{resourceName}' of {assemblyPath} lives in another file, not embedded in this assembly.");
            }

            return ReadEmbedded(pe, resource.Offset, assemblyPath, resourceName);
        }

        throw new InvalidDataException(
            $"{assemblyPath} embeds no resource '{resourceName}'. It embeds: {(names.Count == 0 ? "nothing" : string.Join(", ", names))}.");
    }

    private static MetadataReader Metadata(PEReader pe, string path)
    {
        if (!pe.HasMetadata)
        {
            throw new InvalidDataException($"{path} is not a .NET assembly (no CLI metadata).");
        }

        return pe.GetMetadataReader();
    }

    private static byte[] ReadEmbedded(PEReader pe, long offset, string path, string name)
    {
        // Embedded resources sit in the CLI header's resources directory, each as a 4-byte little-endian length
        // followed by the bytes (ECMA-335 II.24.2.4).
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidDataException($"{path} has no CLI header.");
        var block = pe.GetSectionData(directory.RelativeVirtualAddress);
        var available = Math.Min(block.Length, directory.Size);
        if (offset < 0 || offset > available - 4)
        {
            throw new InvalidDataException($"Resource '{name}' of {path} starts at {offset}, outside the {available}-byte resources section.");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(block.GetContent((int)offset, 4).AsSpan());
        if (length > (ulong)(available - offset - 4))
        {
            throw new InvalidDataException($"Resource '{name}' of {path} claims {length} bytes but the section holds {available - offset - 4} after it: the file is truncated.");
        }

        return ImmutableCollectionsMarshal.AsArray(block.GetContent((int)offset + 4, (int)length))!;
    }
}
