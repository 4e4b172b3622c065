// MSBuild task compiled at build time by RoslynCodeTaskFactory (see build/LibTorch.targets).
//
// Why it exists: TorchSharp 0.107's native shim libLibTorchSharp.so was built with GCC 15 and carries one
// version need on GLIBCXX_3.4.32 (for _ZSt21ios_base_library_initv, a marker symbol that is never called).
// Debian 12 / Ubuntu 22.04 ship a libstdc++ that stops at GLIBCXX_3.4.30, so the dynamic loader refuses the
// library and TorchSharp fails with DllNotFoundException. glibc treats a missing version whose need entry is
// flagged VER_FLG_WEAK as non-fatal, so setting that one bit in the build-output copy makes it load.
//
// Constraints that shape the code:
// - RoslynCodeTaskFactory on the .NET SDK compiles against netstandard 2.0 reference assemblies, so only
//   netstandard 2.0 APIs are used (no Span, no BinaryPrimitives, no File.ResolveLinkTarget).
// - The same file is linked into the unit tests, which build with the repository's analyzers as errors.
// - The NuGet package cache is never written to: only the copy in the build or publish output is patched,
//   and always through a fresh sibling file that is renamed over it (see PatchFile).
#nullable enable

namespace PeftSharp.Build;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks the GLIBCXX_3.4.32 version need of libLibTorchSharp.so weak in build outputs, on Linux systems whose
/// libstdc++ does not define that version. Does nothing elsewhere.
/// </summary>
public sealed class PatchLibTorchSharp : Task
{
    /// <summary>The version the shim needs but older distributions lack.</summary>
    public const string DefaultVersionName = "GLIBCXX_3.4.32";

    /// <summary>VER_FLG_WEAK in Elf64_Vernaux.vna_flags.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtStrtab = 3;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const int VerdefSize = 20;
    private const int VerdauxSize = 8;

    // Upper bound on chain lengths; real files have a few dozen entries. Offsets only grow (the next-entry fields
    // are unsigned), so a chain cannot cycle, but a corrupt count must not make the walk run for long.
    private const int MaxChainEntries = 1 << 16;

    /// <summary>Candidate libLibTorchSharp.so files in the build or publish output (only existing ones are passed).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The NuGet package cache ($(NuGetPackageRoot)); a file under it is never patched.</summary>
    public string? NuGetPackageRoot { get; set; }

    /// <summary>The version need to mark weak.</summary>
    public string VersionName { get; set; } = DefaultVersionName;

    /// <summary>The files this invocation changed.</summary>
    [Output]
    public ITaskItem[] PatchedFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            Log.LogMessage(MessageImportance.Low, "PatchLibTorchSharp: not Linux, nothing to do.");
            return true;
        }

        // Refuse cache paths before anything else, so a misconfigured caller fails the same way everywhere.
        string? cacheRoot = NormalizeDirectory(NuGetPackageRoot);
        bool refused = false;
        foreach (ITaskItem item in Files)
        {
            string path = Path.GetFullPath(item.ItemSpec);
            if (cacheRoot != null && path.StartsWith(cacheRoot, StringComparison.Ordinal))
            {
                Log.LogError("PatchLibTorchSharp: refusing to modify '{0}': it is inside the NuGet package cache '{1}'. Only build output copies may be patched.", path, cacheRoot);
                refused = true;
            }
        }

        if (refused || Files.Length == 0)
        {
            return !Log.HasLoggedErrors;
        }

        string? libstdcxx = FindSystemLibStdCxx();
        if (libstdcxx == null)
        {
            Log.LogMessage(MessageImportance.Low, "PatchLibTorchSharp: no system libstdc++.so.6 found, nothing to do.");
            return true;
        }

        bool systemHasVersion;
        try
        {
            systemHasVersion = DefinesVersion(File.ReadAllBytes(libstdcxx), VersionName, libstdcxx);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // A system library we cannot read or parse gives no basis for a decision; leave the output alone.
            Log.LogMessage(MessageImportance.Normal, "PatchLibTorchSharp: cannot inspect '{0}' ({1}); nothing patched.", libstdcxx, ex.Message);
            return true;
        }

        if (systemHasVersion)
        {
            Log.LogMessage(MessageImportance.Low, "PatchLibTorchSharp: '{0}' defines {1}, nothing to do.", libstdcxx, VersionName);
            return true;
        }

        var patched = new List<ITaskItem>();
        foreach (ITaskItem item in Files)
        {
            string path = Path.GetFullPath(item.ItemSpec);
            try
            {
                if (PatchFile(path, VersionName))
                {
                    Log.LogMessage(MessageImportance.Normal, "Patched {0} to weak in {1} (system libstdc++ lacks it)", VersionName, path);
                    patched.Add(new TaskItem(path));
                }
                else
                {
                    Log.LogMessage(MessageImportance.Low, "PatchLibTorchSharp: '{0}' needs no change.", path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogError("PatchLibTorchSharp: cannot patch '{0}': {1}", path, ex.Message);
            }
        }

        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>
    /// Marks <paramref name="versionName"/> weak in the ELF file at <paramref name="path"/>.
    /// Returns true when the file was changed; false when the entry is absent or already weak.
    /// Throws <see cref="InvalidDataException"/> (naming the file) when the file is not a well-formed ELF64 LE object.
    /// </summary>
    public static bool PatchFile(string path, string versionName)
    {
        byte[] image = File.ReadAllBytes(path);
        long flagsOffset = FindVernauxFlagsOffset(image, versionName, path);
        if (flagsOffset < 0)
        {
            return false; // A future TorchSharp may not need this version at all.
        }

        ushort flags = ReadUInt16(image, flagsOffset);
        if ((flags & VerFlagWeak) != 0)
        {
            return false; // Idempotent: already patched.
        }

        ushort newFlags = (ushort)(flags | VerFlagWeak);

        // Never write in place: the output may be a hard link or symbolic link into the NuGet cache
        // (CreateHardLinksForCopyLocalIfPossible and friends), and netstandard 2.0 offers no way to tell a
        // hard link apart. Copy to a sibling, change two bytes there, then rename it over the output entry:
        // whatever the old entry pointed at is left untouched. The cost is one extra copy, paid only on the
        // build that first brings in a fresh (unpatched) file.
        string directory = Path.GetDirectoryName(path) ?? ".";
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            // File.Copy follows a symbolic link and, on Unix, keeps the mode (executable bits) and the last-write
            // time of the file it copies. For a link, File.GetLastWriteTimeUtc(path) is the link's own time, so
            // there the time comes from the copy (that is, from the link's target).
            bool isLink = (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
            DateTime lastWrite = File.GetLastWriteTimeUtc(path);
            File.Copy(path, temp, overwrite: false);
            if (isLink)
            {
                lastWrite = File.GetLastWriteTimeUtc(temp);
            }

            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None))
            {
                stream.Seek(flagsOffset, SeekOrigin.Begin);
                stream.Write(new[] { (byte)(newFlags & 0xff), (byte)(newFlags >> 8) }, 0, 2);
            }

            // MSBuild's incremental copy compares size and last-write time with the package file; keeping the
            // original time stops it from recopying (and this task from repatching) on every build.
            File.SetLastWriteTimeUtc(temp, lastWrite);
            File.Replace(temp, path, null); // rename(2) on Unix: atomic, replaces the link itself, not its target.
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return true;
    }

    /// <summary>
    /// Returns the vna_flags of the <paramref name="versionName"/> need in <paramref name="image"/>,
    /// or null when the file has no such need.
    /// </summary>
    public static ushort? ReadVersionNeedFlags(byte[] image, string versionName, string fileName)
    {
        long offset = FindVernauxFlagsOffset(image, versionName, fileName);
        return offset < 0 ? null : ReadUInt16(image, offset);
    }

    /// <summary>
    /// Returns the file offset of vna_flags in the Elf64_Vernaux named <paramref name="versionName"/>
    /// in the .gnu.version_r section, or -1 when there is none.
    /// </summary>
    public static long FindVernauxFlagsOffset(byte[] image, string versionName, string fileName)
    {
        ReadSections(image, fileName, out long table, out long count);
        long verneed = FindSectionByType(image, table, count, ShtGnuVerneed);
        if (verneed < 0)
        {
            return -1; // No version needs at all.
        }

        GetSectionBounds(image, table, verneed, fileName, out long secStart, out long secEnd);
        GetLinkedStringTable(image, table, count, verneed, fileName, out long strStart, out long strEnd);

        // vn_next == 0 ends the chain; sh_info (DT_VERNEEDNUM) bounds it as well when set.
        uint declared = ReadUInt32(image, HeaderOffset(table, verneed) + 44);
        long limit = declared == 0 ? MaxChainEntries : Math.Min(declared, MaxChainEntries);
        long entry = secStart;
        for (long i = 0; i < limit; i++)
        {
            Require(entry >= secStart && entry + VerneedSize <= secEnd, fileName, "an Elf64_Verneed entry lies outside .gnu.version_r");
            ushort vnVersion = ReadUInt16(image, entry);
            Require(vnVersion == 1, fileName, "unsupported Elf64_Verneed version " + vnVersion.ToString(CultureInfo.InvariantCulture));
            ushort vnCount = ReadUInt16(image, entry + 2);
            uint vnAux = ReadUInt32(image, entry + 8);
            uint vnNext = ReadUInt32(image, entry + 12);

            long aux = entry + vnAux;
            for (int j = 0; j < vnCount; j++)
            {
                Require(aux >= secStart && aux + VernauxSize <= secEnd, fileName, "an Elf64_Vernaux entry lies outside .gnu.version_r");
                uint nameOffset = ReadUInt32(image, aux + 8);
                if (NameEquals(image, strStart, strEnd, nameOffset, versionName, fileName))
                {
                    return aux + 4;
                }

                uint vnaNext = ReadUInt32(image, aux + 12);
                if (vnaNext == 0)
                {
                    break;
                }

                aux += vnaNext;
            }

            if (vnNext == 0)
            {
                break;
            }

            entry += vnNext;
        }

        return -1;
    }

    /// <summary>
    /// Whether the ELF file <paramref name="image"/> (e.g. libstdc++.so.6) defines the symbol version
    /// <paramref name="versionName"/> in its .gnu.version_d section.
    /// </summary>
    public static bool DefinesVersion(byte[] image, string versionName, string fileName)
    {
        ReadSections(image, fileName, out long table, out long count);
        long verdef = FindSectionByType(image, table, count, ShtGnuVerdef);
        if (verdef < 0)
        {
            return false;
        }

        GetSectionBounds(image, table, verdef, fileName, out long secStart, out long secEnd);
        GetLinkedStringTable(image, table, count, verdef, fileName, out long strStart, out long strEnd);

        uint declared = ReadUInt32(image, HeaderOffset(table, verdef) + 44);
        long limit = declared == 0 ? MaxChainEntries : Math.Min(declared, MaxChainEntries);
        long entry = secStart;
        for (long i = 0; i < limit; i++)
        {
            Require(entry >= secStart && entry + VerdefSize <= secEnd, fileName, "an Elf64_Verdef entry lies outside .gnu.version_d");
            ushort vdCount = ReadUInt16(image, entry + 6);
            uint vdAux = ReadUInt32(image, entry + 12);
            uint vdNext = ReadUInt32(image, entry + 16);

            // The first Elf64_Verdaux names the version itself; later ones name its parents.
            if (vdCount > 0)
            {
                long aux = entry + vdAux;
                Require(aux >= secStart && aux + VerdauxSize <= secEnd, fileName, "an Elf64_Verdaux entry lies outside .gnu.version_d");
                if (NameEquals(image, strStart, strEnd, ReadUInt32(image, aux), versionName, fileName))
                {
                    return true;
                }
            }

            if (vdNext == 0)
            {
                break;
            }

            entry += vdNext;
        }

        return false;
    }

    /// <summary>
    /// Finds the libstdc++.so.6 that a .NET process on this machine loads: the one mapped into this process
    /// (MSBuild runs on dotnet, whose runtime links libstdc++), else the one ldconfig knows, else a standard path.
    /// </summary>
    public static string? FindSystemLibStdCxx()
    {
        string? mapped = FindMappedLibStdCxx();
        if (mapped != null)
        {
            return mapped;
        }

        string? cached = FindLibStdCxxWithLdconfig();
        if (cached != null)
        {
            return cached;
        }

        foreach (string dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu" })
        {
            string candidate = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindMappedLibStdCxx()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        try
        {
            foreach (string line in File.ReadLines(maps))
            {
                // Format: address perms offset dev inode pathname; the pathname starts at the first '/'.
                int slash = line.IndexOf('/');
                if (slash < 0)
                {
                    continue;
                }

                string candidate = line.Substring(slash).Trim();
                if (Path.GetFileName(candidate).StartsWith("libstdc++.so", StringComparison.Ordinal) && File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        catch (IOException)
        {
            // Fall through to the other lookups.
        }
        catch (UnauthorizedAccessException)
        {
            // Fall through to the other lookups.
        }

        return null;
    }

    private static string? FindLibStdCxxWithLdconfig()
    {
        // ldconfig -p lines look like: "libstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".
        string archTag = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "AArch64" : "x86-64";
        foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
        {
            if (!File.Exists(ldconfig))
            {
                continue;
            }

            try
            {
                var start = new ProcessStartInfo(ldconfig, "-p")
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                    CreateNoWindow = true,
                };
                using Process? process = Process.Start(start);
                if (process == null)
                {
                    continue;
                }

                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (string raw in output.Split('\n'))
                {
                    string line = raw.Trim();
                    int arrow = line.IndexOf("=>", StringComparison.Ordinal);
                    if (arrow < 0 || !line.StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) || line.IndexOf(archTag, StringComparison.Ordinal) < 0)
                    {
                        continue;
                    }

                    string path = line.Substring(arrow + 2).Trim();
                    if (File.Exists(path))
                    {
                        return path;
                    }
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // ldconfig could not be started; fall through to the standard paths.
            }
            catch (InvalidOperationException)
            {
                // Same.
            }
        }

        return null;
    }

    private static string? NormalizeDirectory(string? directory)
    {
        if (directory == null || directory.Trim().Length == 0)
        {
            return null;
        }

        string full = Path.GetFullPath(directory.Trim());
        return full[full.Length - 1] == '/' ? full : full + "/";
    }

    // Validates the ELF header and returns the section header table's offset and entry count.
    private static void ReadSections(byte[] image, string fileName, out long tableOffset, out long count)
    {
        Require(image.Length >= ElfHeaderSize, fileName, "file is shorter than an ELF header");
        Require(image[0] == 0x7f && image[1] == (byte)'E' && image[2] == (byte)'L' && image[3] == (byte)'F', fileName, "not an ELF file (bad magic)");
        Require(image[4] == 2, fileName, "not a 64-bit ELF file");
        Require(image[5] == 1, fileName, "not a little-endian ELF file");

        ulong shoff = ReadUInt64(image, 0x28);
        ushort shentsize = ReadUInt16(image, 0x3A);
        long shnum = ReadUInt16(image, 0x3C);
        Require(shoff > 0 && shoff < (ulong)image.Length, fileName, "section header table offset out of range");
        Require(shentsize == SectionHeaderSize, fileName, "unexpected section header size " + shentsize.ToString(CultureInfo.InvariantCulture));
        Require((long)shoff + SectionHeaderSize <= image.Length, fileName, "section header table out of range");
        if (shnum == 0)
        {
            // More than 0xff00 sections: the real count is in sh_size of section 0.
            ulong extended = ReadUInt64(image, (long)shoff + 32);
            Require(extended <= int.MaxValue, fileName, "section count out of range");
            shnum = (long)extended;
        }

        Require(shnum > 0 && (long)shoff + (shnum * SectionHeaderSize) <= image.Length, fileName, "section header table extends past the end of the file");
        tableOffset = (long)shoff;
        count = shnum;
    }

    private static long HeaderOffset(long tableOffset, long index) => tableOffset + (index * SectionHeaderSize);

    private static long FindSectionByType(byte[] image, long tableOffset, long count, uint type)
    {
        for (long i = 0; i < count; i++)
        {
            if (ReadUInt32(image, HeaderOffset(tableOffset, i) + 4) == type)
            {
                return i;
            }
        }

        return -1;
    }

    private static void GetSectionBounds(byte[] image, long tableOffset, long index, string fileName, out long start, out long end)
    {
        long header = HeaderOffset(tableOffset, index);
        ulong offset = ReadUInt64(image, header + 24);
        ulong size = ReadUInt64(image, header + 32);
        Require(offset <= (ulong)image.Length && size <= (ulong)image.Length - offset, fileName, "section " + index.ToString(CultureInfo.InvariantCulture) + " lies outside the file");
        start = (long)offset;
        end = (long)(offset + size);
    }

    private static void GetLinkedStringTable(byte[] image, long tableOffset, long count, long index, string fileName, out long start, out long end)
    {
        uint link = ReadUInt32(image, HeaderOffset(tableOffset, index) + 40);
        Require(link > 0 && link < count, fileName, "version section links to a missing string table");
        Require(ReadUInt32(image, HeaderOffset(tableOffset, link) + 4) == ShtStrtab, fileName, "version section links to a section that is not a string table");
        GetSectionBounds(image, tableOffset, link, fileName, out start, out end);
    }

    private static bool NameEquals(byte[] image, long strStart, long strEnd, uint nameOffset, string expected, string fileName)
    {
        long start = strStart + nameOffset;
        Require(start < strEnd, fileName, "version name offset lies outside the string table");
        long end = start;
        while (end < strEnd && image[end] != 0)
        {
            end++;
        }

        Require(end < strEnd, fileName, "version name is not terminated inside the string table");
        if (end - start != expected.Length)
        {
            return false;
        }

        return string.Equals(Encoding.ASCII.GetString(image, (int)start, (int)(end - start)), expected, StringComparison.Ordinal);
    }

    private static void Require(bool condition, string fileName, string problem)
    {
        if (!condition)
        {
            throw new InvalidDataException("'" + fileName + "' is not a well-formed ELF64 little-endian file: " + problem + ".");
        }
    }

    private static ushort ReadUInt16(byte[] b, long at) => (ushort)(b[at] | (b[at + 1] << 8));

    private static uint ReadUInt32(byte[] b, long at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));

    private static ulong ReadUInt64(byte[] b, long at) => ReadUInt32(b, at) | ((ulong)ReadUInt32(b, at + 4) << 32);
}
