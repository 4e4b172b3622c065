namespace FashionResNetLora.Data;

using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;

/// <summary>
/// Reads the IDX files of (Fashion-)MNIST, gzip-compressed: a big-endian header (magic 2051 and count, rows, columns
/// for images; magic 2049 and count for labels) followed by one unsigned byte per pixel or label.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads <paramref name="path"/> as images: (count, rows, columns, pixels row-major per image).</summary>
    /// <exception cref="InvalidDataException">Not gzip, wrong magic, or a length that does not match the header.</exception>
    public static (int Count, int Rows, int Columns, byte[] Pixels) ReadImages(string path)
    {
        var bytes = Decompress(path);
        var dims = Header(bytes, path, ImagesMagic, 3);
        var (count, rows, columns) = (dims[0], dims[1], dims[2]);
        var expected = 16L + ((long)count * rows * columns);
        CheckLength(bytes, expected, path);
        return (count, rows, columns, bytes[16..]);
    }

    /// <summary>Reads <paramref name="path"/> as labels, each checked to be below <paramref name="classCount"/>.</summary>
    /// <exception cref="InvalidDataException">Not gzip, wrong magic, wrong length, or a label out of range.</exception>
    public static byte[] ReadLabels(string path, int classCount)
    {
        var bytes = Decompress(path);
        var count = Header(bytes, path, LabelsMagic, 1)[0];
        CheckLength(bytes, 8L + count, path);
        var labels = bytes[8..];
        var bad = Array.FindIndex(labels, l => l >= classCount);
        if (bad >= 0)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture, $"{path}: label {labels[bad]} at index {bad} is outside 0..{classCount - 1}."));
        }

        return labels;
    }

    private static byte[] Decompress(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            return memory.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not a gzip-compressed IDX file ({e.Message}); fetch the data package again.", e);
        }
    }

    private static int[] Header(byte[] bytes, string path, int magic, int dimensions)
    {
        var headerLength = 4 * (1 + dimensions);
        if (bytes.Length < headerLength)
        {
            throw new InvalidDataException($"{path} holds {bytes.Length} bytes, fewer than an IDX header ({headerLength}): the file is truncated.");
        }

        var found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture, $"{path} starts with magic {found}, expected {magic} (unsigned bytes, {dimensions} dimension(s))."));
        }

        var dims = Enumerable.Range(1, dimensions).Select(i => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 * i))).ToArray();
        if (dims.Any(d => d <= 0))
        {
            throw new InvalidDataException($"{path} declares dimensions [{string.Join(", ", dims)}]; all must be positive.");
        }

        return dims;
    }

    private static void CheckLength(byte[] bytes, long expected, string path)
    {
        if (bytes.LongLength != expected)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture, $"{path} holds {bytes.LongLength} bytes but its header describes {expected}: the file is truncated or damaged."));
        }
    }
}
