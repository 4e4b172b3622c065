namespace PeftSharp.Tests.Platform;

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

/// <summary>
/// A small ELF64 little-endian reader for the symbol-versioning sections, written independently of
/// build/PatchLibTorchSharp.cs so the tests do not check the patch task with its own code.
/// Assumes well-formed input (it reads the system libstdc++ and the TorchSharp package file).
/// </summary>
public static class ElfVersionReader
{
    public const uint ShtGnuVerdef = 0x6ffffffd;
    public const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>The names of the versions a shared object defines (.gnu.version_d).</summary>
    public static IReadOnlyList<string> DefinedVersions(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var names = new List<string>();
        int section = FindSection(image, ShtGnuVerdef);
        if (section < 0)
        {
            return names;
        }

        (long offset, long _, int link) = Section(image, section);
        long strtab = Section(image, link).Offset;
        long entry = offset;
        while (true)
        {
            ushort count = U16(image, entry + 6);
            uint aux = U32(image, entry + 12);
            uint next = U32(image, entry + 16);
            if (count > 0)
            {
                names.Add(CString(image, strtab + U32(image, entry + aux)));
            }

            if (next == 0)
            {
                return names;
            }

            entry += next;
        }
    }

    /// <summary>Each needed version (.gnu.version_r) with its vna_flags and the file offset of those flags.</summary>
    public static IReadOnlyDictionary<string, (ushort Flags, long FlagsOffset)> NeededVersions(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var needs = new Dictionary<string, (ushort, long)>(StringComparer.Ordinal);
        int section = FindSection(image, ShtGnuVerneed);
        if (section < 0)
        {
            return needs;
        }

        (long offset, long _, int link) = Section(image, section);
        long strtab = Section(image, link).Offset;
        long entry = offset;
        while (true)
        {
            ushort count = U16(image, entry + 2);
            long aux = entry + U32(image, entry + 8);
            for (int i = 0; i < count; i++)
            {
                needs[CString(image, strtab + U32(image, aux + 8))] = (U16(image, aux + 4), aux + 4);
                uint auxNext = U32(image, aux + 12);
                if (auxNext == 0)
                {
                    break;
                }

                aux += auxNext;
            }

            uint next = U32(image, entry + 12);
            if (next == 0)
            {
                return needs;
            }

            entry += next;
        }
    }

    /// <summary>File offset of the section header of the first section of <paramref name="type"/>, or -1.</summary>
    public static long SectionHeaderOffset(byte[] image, uint type)
    {
        ArgumentNullException.ThrowIfNull(image);
        int index = FindSection(image, type);
        return index < 0 ? -1 : (long)U64(image, 0x28) + (index * 64L);
    }

    private static int FindSection(byte[] image, uint type)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F' || image[4] != 2 || image[5] != 1)
        {
            throw new ArgumentException("not an ELF64 little-endian image", nameof(image));
        }

        long shoff = (long)U64(image, 0x28);
        int shnum = U16(image, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            if (U32(image, shoff + (i * 64L) + 4) == type)
            {
                return i;
            }
        }

        return -1;
    }

    private static (long Offset, long Size, int Link) Section(byte[] image, int index)
    {
        long header = (long)U64(image, 0x28) + (index * 64L);
        return ((long)U64(image, header + 24), (long)U64(image, header + 32), (int)U32(image, header + 40));
    }

    private static string CString(byte[] image, long offset)
    {
        int end = Array.IndexOf(image, (byte)0, checked((int)offset));
        return Encoding.ASCII.GetString(image, (int)offset, end - (int)offset);
    }

    private static ushort U16(byte[] b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(checked((int)at), 2));

    private static uint U32(byte[] b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(checked((int)at), 4));

    private static ulong U64(byte[] b, long at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(checked((int)at), 8));
}
