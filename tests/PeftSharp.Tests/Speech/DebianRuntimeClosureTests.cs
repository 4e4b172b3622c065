namespace PeftSharp.Tests.Speech;

using System.Linq;
using FluentAssertions;
using PeftSharp.Data.Audio;
using Xunit;

/// <summary>Reading apt-cache's dependency listing: alternatives, virtual packages and their providers.</summary>
public sealed class DebianRuntimeClosureTests
{
    [Fact]
    public void Parses_groups_of_alternatives_and_providers_of_virtual_packages()
    {
        const string Text = """
            libpulse0
              Depends: libasyncns0
              Depends: libc6
              Depends: libsystemd0
                libelogind0
              Suggests: pulseaudio
            libfoo1
             |Depends: libbar1
              Depends: libbaz1
              PreDepends: <libvirtual>
                libprovider1
                libprovider2
              Recommends: libnice
            """;
        var graph = DebianRuntimeClosure.ParseDependsGraph(Text.Replace("\r\n", "\n"));

        graph["libpulse0"].Select(g => string.Join("|", g.Select(a => a.Name))).Should().Equal("libasyncns0", "libc6", "libsystemd0");
        graph["libpulse0"][2][0].Providers.Should().Equal("libelogind0");
        graph["libfoo1"].Select(g => string.Join("|", g.Select(a => a.Name))).Should().Equal("libbar1|libbaz1", "libvirtual");
        graph["libfoo1"][1][0].IsVirtual.Should().BeTrue();
        graph["libfoo1"][1][0].Providers.Should().Equal("libprovider1", "libprovider2");
    }
}
