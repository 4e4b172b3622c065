namespace PeftSharp.Serialization;

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static TorchSharp.torch;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's tensor file format): an 8-byte little-endian header
/// length, a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
/// Everything read is validated before any tensor memory is allocated.
/// </summary>
public static class Safetensors
{
    /// <summary>The largest header accepted, in bytes: the reference implementation's limit (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    // Writes go through a fixed-size window of a tensor's memory, so no span exceeds 2 GiB.
    private const long ChunkBytes = 1L << 30;

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> the way the reference writer does: tensors ordered by
    /// descending dtype alignment, then by name; the JSON header compact, with <c>__metadata__</c> first, padded with
    /// spaces to a multiple of 8 bytes; data contiguous and little-endian. The file is written to a temporary file in the
    /// same folder and renamed over <paramref name="path"/>, so readers never see a half-written file.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">Names and tensors, on any device; each is copied to the CPU as it is written.</param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>, for example <c>{"format": "pt"}</c>.</param>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>.</exception>
    /// <exception cref="NotSupportedException">A tensor's dtype has no safetensors equivalent here (for example complex).</exception>
    public static void Save(
        string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        EnsureLittleEndian();

        var entries = Plan(tensors);
        var header = BuildHeader(entries, metadata);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? ".";
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var entry in entries)
                {
                    WriteData(stream, entry.Tensor, entry.ElementSize);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> and validates its whole header: lengths, JSON, names, dtypes, shapes, offsets in
    /// range, sizes and overlaps. Tensor data is read later, on demand.
    /// </summary>
    /// <param name="path">A safetensors file.</param>
    /// <returns>The open file; dispose it to close the file.</returns>
    /// <exception cref="SafetensorsFormatException">The file is malformed; the message names the exact problem.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public static SafetensorsFile Open(string path) => SafetensorsFile.Open(path);

    /// <summary>Reads every tensor of <paramref name="path"/> into new CPU tensors, keyed by name.</summary>
    /// <param name="path">A safetensors file.</param>
    /// <exception cref="SafetensorsFormatException">The file is malformed; the message names the exact problem.</exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var file = Open(path);
        return file.LoadAll();
    }

    /// <summary>The metadata of <paramref name="path"/> without reading any tensor.</summary>
    /// <param name="path">A safetensors file.</param>
    /// <exception cref="SafetensorsFormatException">The file is malformed.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var file = Open(path);
        return file.Metadata;
    }

    /// <summary>Throws on a big-endian machine: the format is little-endian and tensors are copied byte for byte.</summary>
    internal static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException(
                "safetensors files are little-endian and PeftSharp copies tensor bytes as they are; big-endian machines are not supported.");
        }
    }

    private static List<Entry> Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A tensor name is null or empty; every tensor needs a name.", nameof(tensors));
            }

            if (name == "__metadata__")
            {
                throw new ArgumentException("'__metadata__' is reserved for the header's metadata and cannot name a tensor.", nameof(tensors));
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"The tensor name {SafetensorsHeader.Quote(name)} is given twice.", nameof(tensors));
            }

            if (tensor is null)
            {
                throw new ArgumentException($"The tensor {SafetensorsHeader.Quote(name)} is null.", nameof(tensors));
            }

            var dtype = SafetensorsDTypes.FromScalarType(tensor.dtype);
            var elementSize = SafetensorsDTypes.ElementSize(dtype);
            entries.Add(new Entry(name, Encoding.UTF8.GetBytes(name), dtype, tensor.shape, tensor.numel() * elementSize, elementSize, tensor));
        }

        // The reference writer's order: descending dtype alignment, then name compared as UTF-8 bytes.
        entries.Sort((left, right) =>
        {
            var byType = SafetensorsDTypes.LayoutRank(right.DType).CompareTo(SafetensorsDTypes.LayoutRank(left.DType));
            return byType != 0 ? byType : left.Utf8Name.AsSpan().SequenceCompareTo(right.Utf8Name);
        });
        return entries;
    }

    private static byte[] BuildHeader(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(key, nameof(metadata));
                    if (value is null)
                    {
                        throw new ArgumentException($"The metadata value of '{key}' is null; safetensors metadata values are strings.", nameof(metadata));
                    }

                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var entry in entries)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.DType);
                writer.WriteStartArray("shape");
                foreach (var dim in entry.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + entry.ByteLength);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += entry.ByteLength;
            }

            writer.WriteEndObject();
        }

        // Pad with spaces so the data section starts 8-byte aligned, as the reference does.
        var padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (var i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, Tensor tensor, int elementSize)
    {
        var elements = tensor.numel();
        if (elements == 0)
        {
            return;
        }

        // detach: no autograd history is needed; cpu/contiguous return the same storage when nothing has to change.
        using var detached = tensor.detach();
        using var cpu = detached.cpu();
        using var contiguous = cpu.contiguous();
        using var flat = contiguous.view(-1);
        var chunkElements = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < elements; start += chunkElements)
        {
            using var chunk = flat.narrow(0, start, Math.Min(chunkElements, elements - start));
            stream.Write(chunk.bytes);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private sealed record Entry(string Name, byte[] Utf8Name, string DType, long[] Shape, long ByteLength, int ElementSize, Tensor Tensor);
}
