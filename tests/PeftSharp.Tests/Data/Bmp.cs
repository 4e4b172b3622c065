namespace PeftSharp.Tests.Data;

using System;
using System.IO;

/// <summary>Writes 24-bit BMP files: a tiny encoded image format the decoder must handle.</summary>
public static class Bmp
{
    /// <summary>Encodes RGB rows (top row first, 3 bytes per pixel) as a BMP.</summary>
    public static byte[] Rgb(byte[][] rows, int width)
    {
        var stride = ((width * 3) + 3) & ~3;
        var height = rows.Length;
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write((byte)'B');
        writer.Write((byte)'M');
        writer.Write(54 + (stride * height));
        writer.Write(0);
        writer.Write(54);
        writer.Write(40);
        writer.Write(width);
        writer.Write(height);
        writer.Write((short)1);
        writer.Write((short)24);
        writer.Write(0);
        writer.Write(stride * height);
        writer.Write(2835);
        writer.Write(2835);
        writer.Write(0);
        writer.Write(0);
        for (var y = height - 1; y >= 0; y--)
        {
            var line = new byte[stride];
            for (var x = 0; x < width; x++)
            {
                line[(x * 3) + 0] = rows[y][(x * 3) + 2];
                line[(x * 3) + 1] = rows[y][(x * 3) + 1];
                line[(x * 3) + 2] = rows[y][(x * 3) + 0];
            }

            writer.Write(line);
        }

        writer.Flush();
        return stream.ToArray();
    }
}
