namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// An open safetensors file whose header has been validated in full. Tensors are read on demand, each from exactly its
/// own byte range, straight into the tensor's memory. Dispose it to close the file.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    // Reads go through a fixed-size window into a tensor's memory, so no read needs a span over 2 GiB.
    private const long ChunkBytes = 1L << 30;

    private readonly SafeFileHandle handle;
    private readonly long dataStart;
    private readonly Dictionary<string, SafetensorsTensorInfo> byName;

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart, SafetensorsHeader header)
    {
        Path = path;
        this.handle = handle;
        this.dataStart = dataStart;
        Metadata = header.Metadata;
        Tensors = header.Tensors;
        byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The file's path as given to <see cref="Safetensors.Open"/>.</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor entry, in the order of the header (the reference writer's data order).</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">There is no such tensor; the message lists the closest names.</exception>
    public SafetensorsTensorInfo this[string name] => Find(name);

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    /// <param name="name">A tensor name.</param>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return byName.ContainsKey(name);
    }

    /// <summary>Reads the tensor named <paramref name="name"/> into a new CPU tensor of its exact dtype and shape.</summary>
    /// <param name="name">A tensor name.</param>
    /// <exception cref="KeyNotFoundException">There is no such tensor.</exception>
    /// <exception cref="SafetensorsFormatException">The file was truncated after it was opened, or a BOOL tensor holds a byte other than 0 or 1.</exception>
    public Tensor Load(string name)
    {
        var info = Find(name);
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        var tensor = empty(info.Shape, info.ScalarType, CPU);
        try
        {
            if (info.ByteLength > 0)
            {
                ReadInto(info, tensor);
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads every tensor, in file order, into new CPU tensors.</summary>
    /// <exception cref="SafetensorsFormatException">A read failed; no tensor is left allocated.</exception>
    public Dictionary<string, Tensor> LoadAll()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var info in Tensors)
            {
                result.Add(info.Name, Load(info.Name));
            }

            return result;
        }
        catch
        {
            foreach (var tensor in result.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => handle.Dispose();

    /// <summary>Opens and validates <paramref name="path"/>; see <see cref="Safetensors.Open"/>.</summary>
    internal static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Safetensors.EnsureLittleEndian();
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.FileTooShort,
                    $"the file has {fileLength.ToString(CultureInfo.InvariantCulture)} bytes, fewer than the 8-byte header length that starts every safetensors file.");
            }

            Span<byte> lengthBytes = stackalloc byte[8];
            ReadExactly(path, handle, lengthBytes, 0);
            var headerLength = BitConverter.ToUInt64(lengthBytes);
            if (headerLength == 0)
            {
                throw new SafetensorsFormatException(path, SafetensorsProblem.EmptyHeader, "the header length is 0; a header is at least the JSON object \"{}\".");
            }

            if (headerLength > Safetensors.MaxHeaderBytes)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.HeaderTooLarge,
                    $"the header length is {headerLength.ToString(CultureInfo.InvariantCulture)} bytes, more than the limit of {Safetensors.MaxHeaderBytes.ToString(CultureInfo.InvariantCulture)} (the reference's); the file is corrupt or not a safetensors file.");
            }

            // Checked before allocating, so a lying length cannot make us allocate 100 MB for a 1 KB file.
            if ((long)headerLength > fileLength - 8)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.HeaderPastEndOfFile,
                    $"the header length is {headerLength.ToString(CultureInfo.InvariantCulture)} bytes, but only {(fileLength - 8).ToString(CultureInfo.InvariantCulture)} bytes follow the length field (is the file truncated?).");
            }

            var header = new byte[headerLength];
            ReadExactly(path, handle, header, 8);
            var dataStart = 8 + (long)headerLength;
            var parsed = SafetensorsHeader.Parse(path, header, fileLength - dataStart);
            return new SafetensorsFile(path, handle, dataStart, parsed);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void ReadExactly(string path, SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (read == 0)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.Truncated,
                    $"the file ended at byte {(offset + done).ToString(CultureInfo.InvariantCulture)} while {buffer.Length.ToString(CultureInfo.InvariantCulture)} bytes were being read from byte {offset.ToString(CultureInfo.InvariantCulture)} (was it truncated or replaced after it was opened?).");
            }

            done += read;
        }
    }

    private void ReadInto(SafetensorsTensorInfo info, Tensor tensor)
    {
        var elementSize = SafetensorsDTypes.ElementSize(info.DType);
        var chunkElements = Math.Max(1, ChunkBytes / elementSize);
        using var flat = tensor.view(-1);
        var elements = info.ElementCount;
        for (long start = 0; start < elements; start += chunkElements)
        {
            var count = Math.Min(chunkElements, elements - start);
            using var chunk = flat.narrow(0, start, count);
            var span = chunk.bytes;
            ReadExactly(Path, handle, span, dataStart + info.Begin + (start * elementSize));
            if (info.DType == "BOOL" && span.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
            {
                throw new SafetensorsFormatException(
                    Path,
                    SafetensorsProblem.InvalidBoolValue,
                    $"BOOL tensor {SafetensorsHeader.Quote(info.Name)} holds the byte {span[bad].ToString(CultureInfo.InvariantCulture)} at element {(start + bad).ToString(CultureInfo.InvariantCulture)}; BOOL bytes must be 0 or 1.");
            }
        }
    }

    private SafetensorsTensorInfo Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (byName.TryGetValue(name, out var info))
        {
            return info;
        }

        var closest = NameSuggestions.Closest(name, byName.Keys, 3);
        var hint = closest.Count > 0 ? $" Closest names: {string.Join(", ", closest.Select(SafetensorsHeader.Quote))}." : " The file holds no tensors.";
        throw new KeyNotFoundException($"'{Path}' holds no tensor named {SafetensorsHeader.Quote(name)}.{hint}");
    }
}
