namespace PeftSharp.Tests.Build;

using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using FluentAssertions;
using Xunit;

/// <summary>
/// The build property that picks the LibTorch runtime, checked by evaluating the real experiment project with MSBuild.
/// The CUDA package cannot be restored here, so evaluation (not restore) is what proves the switch.
/// </summary>
public sealed class TorchRuntimeSwitchTests
{
    private static readonly string Experiment = Path.Combine(RepositoryRoot.Path, "experiments", "BreastCancerLora", "BreastCancerLora.csproj");

    [Fact]
    public void Applications_get_the_linux_cpu_runtime_by_default()
    {
        PackageReferences(Experiment).Should().Contain(["TorchSharp", "libtorch-cpu-linux-x64"]).And.NotContain("TorchSharp-cuda-linux");
    }

    [Fact]
    public void TorchRuntime_cuda_swaps_in_the_cuda_runtime_and_drops_the_cpu_one()
    {
        PackageReferences(Experiment, "-p:TorchRuntime=cuda").Should().Contain("TorchSharp-cuda-linux").And.NotContain("libtorch-cpu-linux-x64");
    }

    [Fact]
    public void TorchRuntime_system_references_TorchSharp_without_a_bundled_LibTorch()
    {
        PackageReferences(Experiment, "-p:TorchRuntime=system").Should().Contain("TorchSharp").And.NotContain(["libtorch-cpu-linux-x64", "TorchSharp-cuda-linux"]);
    }

    [Fact]
    public void Libraries_reference_only_TorchSharp()
    {
        var library = Path.Combine(RepositoryRoot.Path, "src", "PeftSharp", "PeftSharp.csproj");

        PackageReferences(library, "-p:TorchRuntime=cuda").Should().Equal("TorchSharp");
    }

    [Fact]
    public void An_unknown_runtime_fails_the_build_with_the_valid_values()
    {
        var (exitCode, output) = Run("msbuild", Experiment, "-t:ValidateTorchRuntime", "-p:TorchRuntime=rocm", "-nologo");

        exitCode.Should().NotBe(0);
        output.Should().Contain("TorchRuntime='rocm' is not supported").And.Contain("-p:TorchRuntime=cuda");
    }

    private static string[] PackageReferences(string project, params string[] properties)
    {
        var (exitCode, output) = Run(["msbuild", project, "-getItem:PackageReference", .. properties]);
        exitCode.Should().Be(0, output);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .ToArray();
    }

    private static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
