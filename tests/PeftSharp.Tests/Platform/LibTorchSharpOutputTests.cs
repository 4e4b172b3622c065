namespace PeftSharp.Tests.Platform;

using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>
/// Checks what build/LibTorch.targets did to this test project's output: the shim's GLIBCXX_3.4.32 need is weak
/// exactly when the system libstdc++ lacks that version, and the NuGet cache copy was never modified.
/// </summary>
public sealed class LibTorchSharpOutputTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private const ushort VerFlagWeak = 0x2;

    [Fact]
    public void TheOutputShimIsWeakOnGlibcxx3432ExactlyWhenTheSystemLibstdcxxLacksIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The fix-up is Linux-only, and the CPU runtime package ships Linux natives only.
        }

        string? libstdcxx = NativeLibraryLocations.LoadedLibStdCxx();
        libstdcxx.Should().NotBeNull("a .NET process on Linux has libstdc++ mapped (coreclr links it)");
        bool systemHasVersion = ElfVersionReader.DefinedVersions(File.ReadAllBytes(libstdcxx!)).Contains(Version);

        string? shim = NativeLibraryLocations.ShimInOutput();
        shim.Should().NotBeNull("the LibTorch runtime package copies the shim into the test output");
        var needs = ElfVersionReader.NeededVersions(File.ReadAllBytes(shim!));
        needs.Should().ContainKey(Version, "TorchSharp 0.107's shim needs it; revisit this test and the fix-up on upgrade");

        bool weak = (needs[Version].Flags & VerFlagWeak) != 0;
        weak.Should().Be(!systemHasVersion, $"{libstdcxx} {(systemHasVersion ? "defines" : "lacks")} {Version}");
    }

    [Fact]
    public void TheNuGetCacheCopyOfTheShimIsLeftUnchanged()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string cached = NativeLibraryLocations.ShimInNuGetCache();
        File.Exists(cached).Should().BeTrue($"the TorchSharp package is restored to {cached}");

        var needs = ElfVersionReader.NeededVersions(File.ReadAllBytes(cached));
        needs.Should().ContainKey(Version);
        (needs[Version].Flags & VerFlagWeak).Should().Be(0, "only build outputs are patched, never the package cache");
    }
}
