namespace PeftSharp.Data.Sources.RData;

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.LZMA;

/// <summary>
/// An R lazy-load database (<c>Rdata.rdx</c> + <c>Rdata.rdb</c>, how installed packages store data sets). The
/// <c>.rdx</c> index is a gzip-compressed serialized list (<c>variables</c>: name to [offset, length] in the
/// <c>.rdb</c>; <c>compressed</c>: the codec). Each <c>.rdb</c> entry is a 4-byte big-endian uncompressed length,
/// for codecs 2/3 a type byte ('1' zlib, '2' bzip2, 'Z' raw LZMA2 / xz, '0' stored), then the compressed
/// serialization.
/// </summary>
public sealed class RLazyLoadDatabase
{
    // Data sets are at most tens of MB uncompressed; anything claiming far more is corrupt.
    private const int MaxObjectBytes = 1 << 30;

    private readonly string rdbPath;
    private readonly Dictionary<string, (long Offset, int Length)> variables;
    private readonly int compression;

    private RLazyLoadDatabase(string rdbPath, Dictionary<string, (long Offset, int Length)> variables, int compression)
    {
        this.rdbPath = rdbPath;
        this.variables = variables;
        this.compression = compression;
    }

    /// <summary>The names of the objects stored, in index order.</summary>
    public IReadOnlyCollection<string> Names => variables.Keys;

    /// <summary>Opens the database whose index is <paramref name="rdxPath"/> (the <c>.rdb</c> sits beside it).</summary>
    /// <exception cref="FileNotFoundException">Either file is missing.</exception>
    /// <exception cref="InvalidDataException">The index is malformed.</exception>
    public static RLazyLoadDatabase Open(string rdxPath)
    {
        ArgumentNullException.ThrowIfNull(rdxPath);
        var rdbPath = Path.ChangeExtension(rdxPath, ".rdb");
        if (!File.Exists(rdxPath) || !File.Exists(rdbPath))
        {
            throw new FileNotFoundException($"R lazy-load database {rdxPath} (and its .rdb) not found.", rdxPath);
        }

        byte[] index;
        using (var gzip = new GZipStream(File.OpenRead(rdxPath), CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gzip.CopyTo(buffer);
            index = buffer.ToArray();
        }

        if (RSerializationReader.Read(index) is not RList list)
        {
            throw new InvalidDataException($"{rdxPath} does not hold an R list: not a lazy-load index.");
        }

        var variables = new Dictionary<string, (long, int)>(StringComparer.Ordinal);
        var entries = Element(list, "variables", rdxPath) as RList
            ?? throw new InvalidDataException($"{rdxPath}: 'variables' is not a list.");
        for (var i = 0; i < entries.Items.Count; i++)
        {
            var name = entries.Tags[i] ?? throw new InvalidDataException($"{rdxPath}: variable {i} has no name.");
            variables[name] = entries.Items[i] switch
            {
                RIntegers { Values.Count: 2 } v when v.Values[0] >= 0 && v.Values[1] > 0 => (v.Values[0], v.Values[1]),
                RDoubles { Values.Count: 2 } v when v.Values[0] >= 0 && v.Values[1] is > 0 and < int.MaxValue => ((long)v.Values[0], (int)v.Values[1]),
                var other => throw new InvalidDataException($"{rdxPath}: variable '{name}' has position {other.Describe()}, expected [offset, length]."),
            };
        }

        var compression = Element(list, "compressed", rdxPath) switch
        {
            RIntegers { Values.Count: 1 } v => v.Values[0],
            RDoubles { Values.Count: 1 } v => (int)v.Values[0],
            _ => 1,
        };
        return new RLazyLoadDatabase(rdbPath, variables, compression);
    }

    /// <summary>Reads and deserializes the object <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such object; the message lists those present.</exception>
    /// <exception cref="InvalidDataException">The entry is truncated, corrupt or uses an unknown codec.</exception>
    public RObject Read(string name)
    {
        if (!variables.TryGetValue(name, out var location))
        {
            throw new KeyNotFoundException($"The R database has no object '{name}'. It has: {string.Join(", ", variables.Keys)}.");
        }

        var entry = new byte[location.Length];
        using (var stream = File.OpenRead(rdbPath))
        {
            if (location.Offset + location.Length > stream.Length)
            {
                throw new InvalidDataException($"'{name}' lies at bytes {location.Offset}+{location.Length}, past the end of {rdbPath} ({stream.Length} bytes).");
            }

            stream.Position = location.Offset;
            stream.ReadExactly(entry);
        }

        return RSerializationReader.Read(Decompress(entry, name));
    }

    private byte[] Decompress(byte[] entry, string name)
    {
        if (entry.Length < 5)
        {
            throw new InvalidDataException($"R object '{name}' entry of {entry.Length} bytes is too short.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(entry);
        if (length > MaxObjectBytes)
        {
            throw new InvalidDataException($"R object '{name}' claims {length} uncompressed bytes: the database is corrupt.");
        }

        var type = compression == 1 ? '1' : (char)entry[4];
        var payloadStart = compression == 1 ? 4 : 5;
        var payload = new MemoryStream(entry, payloadStart, entry.Length - payloadStart, writable: false);
        var output = new byte[length];
        try
        {
            using Stream decoder = type switch
            {
                '0' => payload,
                '1' => new ZLibStream(payload, CompressionMode.Decompress),
                '2' => BZip2Stream.Create(payload, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: false),
                'Z' => LzmaStream.Create([Lzma2DictionaryByte(length)], payload, payload.Length, length, null, true, false),
                _ => throw new InvalidDataException($"R object '{name}' uses compression type '{type}' (known: 0, 1, 2, Z)."),
            };
            decoder.ReadExactly(output);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"R object '{name}' decompresses to fewer than the {length} bytes its header states: the database is truncated.", e);
        }

        return output;
    }

    private static byte Lzma2DictionaryByte(uint size)
    {
        // LZMA2's one-byte dictionary size: (2 | (b & 1)) << (b / 2 + 11); the whole object fits in the dictionary.
        byte b = 0;
        while (b < 40 && ((2L | (b & 1L)) << ((b / 2) + 11)) < size)
        {
            b++;
        }

        return b;
    }

    private static RObject Element(RList list, string name, string path)
    {
        var i = list.Tags.ToList().IndexOf(name);
        return i >= 0 ? list.Items[i] : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path} has no '{name}' entry."));
    }
}
