namespace PeftSharp.Tests.Platform;

using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FluentAssertions;
using Microsoft.Build.Utilities;
using PeftSharp.Build;
using PeftSharp.Tests.Data;
using Xunit;

/// <summary>
/// Unit tests of build/PatchLibTorchSharp.cs (linked into this project): the ELF walk, idempotence, link safety
/// and clear errors on malformed input. They work on copies of the TorchSharp shim in a scratch folder.
/// </summary>
public sealed class PatchLibTorchSharpTaskTests : IDisposable
{
    private const string Version = PatchLibTorchSharp.DefaultVersionName;
    private readonly TempDirectory scratch = new();

    public void Dispose() => scratch.Dispose();

    [Fact]
    public void PatchingSetsOnlyTheWeakBitAndKeepsSizeAndTime()
    {
        string original = NativeLibraryLocations.ShimInNuGetCache();
        string copy = CopyShim("lib.so");
        DateTime before = File.GetLastWriteTimeUtc(copy);

        PatchLibTorchSharp.PatchFile(copy, Version).Should().BeTrue();

        byte[] expected = File.ReadAllBytes(original);
        byte[] actual = File.ReadAllBytes(copy);
        long flags = ElfVersionReader.NeededVersions(expected)[Version].FlagsOffset;
        actual.Length.Should().Be(expected.Length);
        Enumerable.Range(0, expected.Length).Where(i => expected[i] != actual[i]).Should().Equal((int)flags);
        BinaryPrimitives.ReadUInt16LittleEndian(actual.AsSpan((int)flags)).Should().Be((ushort)(BinaryPrimitives.ReadUInt16LittleEndian(expected.AsSpan((int)flags)) | 0x2));
        ElfVersionReader.NeededVersions(actual)[Version].Flags.Should().Be(0x2);
        File.GetLastWriteTimeUtc(copy).Should().Be(before, "MSBuild's incremental copy compares size and time");
        Directory.GetFiles(scratch.Path).Should().ContainSingle("the temporary sibling is renamed over the output");
    }

    [Fact]
    public void PatchingTwiceGivesIdenticalBytes()
    {
        string copy = CopyShim("lib.so");
        PatchLibTorchSharp.PatchFile(copy, Version).Should().BeTrue();
        byte[] once = File.ReadAllBytes(copy);

        PatchLibTorchSharp.PatchFile(copy, Version).Should().BeFalse("the flag is already set");

        File.ReadAllBytes(copy).Should().Equal(once);
    }

    [Fact]
    public void AFileWithoutTheVersionNeedIsLeftAlone()
    {
        string copy = CopyShim("lib.so");
        byte[] before = File.ReadAllBytes(copy);

        PatchLibTorchSharp.PatchFile(copy, "GLIBCXX_9.9.99").Should().BeFalse();
        PatchLibTorchSharp.ReadVersionNeedFlags(before, "GLIBCXX_9.9.99", copy).Should().BeNull();

        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Fact]
    public void TheTaskReadsTheSameFlagsAsTheIndependentReader()
    {
        byte[] image = File.ReadAllBytes(NativeLibraryLocations.ShimInNuGetCache());
        foreach (var need in ElfVersionReader.NeededVersions(image))
        {
            PatchLibTorchSharp.ReadVersionNeedFlags(image, need.Key, "shim").Should().Be(need.Value.Flags, need.Key);
        }
    }

    [Fact]
    public void VersionDefinitionsOfTheSystemLibstdcxxMatchTheIndependentReader()
    {
        string? libstdcxx = PatchLibTorchSharp.FindSystemLibStdCxx();
        libstdcxx.Should().NotBeNull();
        byte[] image = File.ReadAllBytes(libstdcxx!);

        PatchLibTorchSharp.DefinesVersion(image, "GLIBCXX_3.4", libstdcxx!).Should().BeTrue();
        PatchLibTorchSharp.DefinesVersion(image, Version, libstdcxx!).Should().Be(ElfVersionReader.DefinedVersions(image).Contains(Version));
        PatchLibTorchSharp.DefinesVersion(image, "GLIBCXX_9.9.99", libstdcxx!).Should().BeFalse();
    }

    [Fact]
    public void TheSystemLibstdcxxFoundIsTheOneThisProcessLoaded()
    {
        PatchLibTorchSharp.FindSystemLibStdCxx().Should().Be(NativeLibraryLocations.LoadedLibStdCxx());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(63)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void ATruncatedFileGivesAClearError(int length)
    {
        string copy = CopyShim("truncated.so");
        byte[] image = File.ReadAllBytes(copy);
        File.WriteAllBytes(copy, image.AsSpan(0, length).ToArray());

        ExpectMalformed(copy);
    }

    [Fact]
    public void ANonElfFileGivesAClearError()
    {
        string path = scratch.File("text.so");
        File.WriteAllText(path, new string('x', 1000));

        ExpectMalformed(path, "bad magic");
    }

    [Theory]
    [InlineData(4, 1, "64-bit")] // EI_CLASS = ELFCLASS32
    [InlineData(5, 2, "little-endian")] // EI_DATA = ELFDATA2MSB
    public void OtherElfFlavoursGiveAClearError(int at, byte value, string problem)
    {
        string copy = CorruptCopy(image => image[at] = value);

        ExpectMalformed(copy, problem);
    }

    [Fact]
    public void ASectionTableOffsetPastTheEndGivesAClearError()
    {
        string copy = CorruptCopy(image => BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(0x28), (ulong)image.Length + 100));

        ExpectMalformed(copy, "section header table");
    }

    [Fact]
    public void AVersionSectionOffsetPastTheEndGivesAClearError()
    {
        string copy = CorruptCopy(image =>
        {
            long header = ElfVersionReader.SectionHeaderOffset(image, ElfVersionReader.ShtGnuVerneed);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan((int)header + 24), ulong.MaxValue - 8);
        });

        ExpectMalformed(copy, "outside the file");
    }

    [Fact]
    public void AnAuxEntryPointingOutsideTheSectionGivesAClearError()
    {
        string copy = CorruptCopy(image =>
        {
            long header = ElfVersionReader.SectionHeaderOffset(image, ElfVersionReader.ShtGnuVerneed);
            long section = (long)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan((int)header + 24));
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)section + 8), 0x7fff_0000); // vn_aux
        });

        ExpectMalformed(copy, "Elf64_Vernaux");
    }

    [Fact]
    public void ANameOffsetOutsideTheStringTableGivesAClearError()
    {
        string copy = CorruptCopy(image =>
        {
            long header = ElfVersionReader.SectionHeaderOffset(image, ElfVersionReader.ShtGnuVerneed);
            long section = (long)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan((int)header + 24));
            long aux = section + BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan((int)section + 8));
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)aux + 8), uint.MaxValue); // vna_name
        });

        ExpectMalformed(copy, "string table");
    }

    [Fact]
    public void ANextEntryOutsideTheSectionGivesAClearError()
    {
        // Offsets only grow (vn_next and vna_next are unsigned), so a chain cannot cycle; a bad one runs off the end.
        string copy = CorruptCopy(image =>
        {
            long header = ElfVersionReader.SectionHeaderOffset(image, ElfVersionReader.ShtGnuVerneed);
            long section = (long)BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan((int)header + 24));
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)section + 12), 0x7fff_0000); // vn_next
        });

        ExpectMalformed(copy, "Elf64_Verneed", "GLIBCXX_9.9.99");
    }

    [Fact]
    public void AHardLinkTargetIsNeverModified()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string cache = CopyShim("cache.so");
        byte[] cacheBytes = File.ReadAllBytes(cache);
        string output = scratch.File("output.so");
        using (Process ln = Process.Start("ln", new[] { cache, output })!)
        {
            ln.WaitForExit();
            ln.ExitCode.Should().Be(0);
        }

        PatchLibTorchSharp.PatchFile(output, Version).Should().BeTrue();

        File.ReadAllBytes(cache).Should().Equal(cacheBytes, "the hard link was replaced, not written through");
        ElfVersionReader.NeededVersions(File.ReadAllBytes(output))[Version].Flags.Should().Be(0x2);
    }

    [Fact]
    public void ASymbolicLinkTargetIsNeverModified()
    {
        string cache = CopyShim("cache.so");
        byte[] cacheBytes = File.ReadAllBytes(cache);
        string output = scratch.File("output.so");
        File.CreateSymbolicLink(output, cache);

        PatchLibTorchSharp.PatchFile(output, Version).Should().BeTrue();

        File.ReadAllBytes(cache).Should().Equal(cacheBytes, "the link itself was replaced by a patched file");
        new FileInfo(output).LinkTarget.Should().BeNull();
        File.GetLastWriteTimeUtc(output).Should().Be(File.GetLastWriteTimeUtc(cache), "the time comes from the link's target");
        ElfVersionReader.NeededVersions(File.ReadAllBytes(output))[Version].Flags.Should().Be(0x2);
    }

    [Fact]
    public void TheTaskRefusesPathsInTheNuGetCache()
    {
        string copy = CopyShim("lib.so");
        byte[] before = File.ReadAllBytes(copy);
        var engine = new RecordingBuildEngine();
        var task = new PatchLibTorchSharp
        {
            BuildEngine = engine,
            Files = new[] { new TaskItem(copy) },
            NuGetPackageRoot = scratch.Path,
        };

        task.Execute().Should().BeFalse();

        engine.Errors.Should().ContainSingle().Which.Should().Contain(copy).And.Contain("NuGet package cache");
        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Fact]
    public void TheTaskPatchesExactlyWhenTheSystemLibstdcxxLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string copy = CopyShim("lib.so");
        var engine = new RecordingBuildEngine();
        var task = new PatchLibTorchSharp { BuildEngine = engine, Files = new[] { new TaskItem(copy) } };

        task.Execute().Should().BeTrue();

        bool systemHasVersion = ElfVersionReader.DefinedVersions(File.ReadAllBytes(NativeLibraryLocations.LoadedLibStdCxx()!)).Contains(Version);
        ElfVersionReader.NeededVersions(File.ReadAllBytes(copy))[Version].Flags.Should().Be((ushort)(systemHasVersion ? 0 : 2));
        task.PatchedFiles.Should().HaveCount(systemHasVersion ? 0 : 1);
        engine.Errors.Should().BeEmpty();
        if (!systemHasVersion)
        {
            engine.Messages.Should().Contain($"Patched {Version} to weak in {copy} (system libstdc++ lacks it)");
        }
    }

    [Fact]
    public void TheTaskDoesNothingForAVersionTheSystemDefines()
    {
        // Stands in for a newer distribution: every libstdc++ since GCC 9 defines GLIBCXX_3.4.26.
        string copy = CopyShim("lib.so");
        byte[] before = File.ReadAllBytes(copy);
        var task = new PatchLibTorchSharp { BuildEngine = new RecordingBuildEngine(), Files = new[] { new TaskItem(copy) }, VersionName = "GLIBCXX_3.4.26" };

        task.Execute().Should().BeTrue();

        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Fact]
    public void TheTaskReportsAMalformedFileAsABuildErrorNamingIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string path = scratch.File("broken.so");
        File.WriteAllBytes(path, new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1 });
        var engine = new RecordingBuildEngine();
        var task = new PatchLibTorchSharp { BuildEngine = engine, Files = new[] { new TaskItem(path) }, VersionName = "GLIBCXX_9.9.99" };

        task.Execute().Should().BeFalse();

        engine.Errors.Should().ContainSingle().Which.Should().Contain(path).And.Contain("not a well-formed ELF64");
    }

    private string CopyShim(string name)
    {
        string path = scratch.File(name);
        File.Copy(NativeLibraryLocations.ShimInNuGetCache(), path);
        return path;
    }

    private string CorruptCopy(Action<byte[]> corrupt)
    {
        string path = scratch.File("corrupt.so");
        byte[] image = File.ReadAllBytes(NativeLibraryLocations.ShimInNuGetCache());
        corrupt(image);
        File.WriteAllBytes(path, image);
        return path;
    }

    private static void ExpectMalformed(string path, string? problem = null, string version = Version)
    {
        Action patch = () => PatchLibTorchSharp.PatchFile(path, version);
        var thrown = patch.Should().Throw<InvalidDataException>().Which;
        thrown.Message.Should().Contain(path).And.Contain("not a well-formed ELF64 little-endian file");
        if (problem != null)
        {
            thrown.Message.Should().Contain(problem);
        }
    }
}
