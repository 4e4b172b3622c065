namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

/// <summary>
/// The software and hardware a run used, as run tags: .NET, TorchSharp and LibTorch versions, OS, CPU model and
/// cores, LibTorch threads, and the CUDA devices. (Git commit and dirty flag come with every run from
/// <see cref="PeftSharp.Tracking.SystemTags"/>.)
/// </summary>
public static partial class EnvironmentTags
{
    /// <summary>Tag: .NET runtime, e.g. <c>.NET 10.0.0</c>.</summary>
    public const string DotNet = "peftsharp.env.dotnet";

    /// <summary>Tag: TorchSharp package version.</summary>
    public const string TorchSharp = "peftsharp.env.torchsharp";

    /// <summary>Tag: the LibTorch runtime package and version, e.g. <c>libtorch-cpu-linux-x64 2.10.0</c>.</summary>
    public const string LibTorch = "peftsharp.env.libtorch";

    /// <summary>Tag: operating system.</summary>
    public const string OperatingSystem = "peftsharp.env.os";

    /// <summary>Tag: CPU model.</summary>
    public const string Cpu = "peftsharp.env.cpu";

    /// <summary>Tag: logical CPU cores.</summary>
    public const string CpuCores = "peftsharp.env.cpu_cores";

    /// <summary>Tag: LibTorch's intra-op threads.</summary>
    public const string TorchThreads = "peftsharp.env.torch_threads";

    /// <summary>Tag: the CUDA devices (<c>none</c> without CUDA).</summary>
    public const string Gpu = "peftsharp.env.gpu";

    /// <summary>Collects the tags now (after thread settings are applied).</summary>
    public static IReadOnlyDictionary<string, string> Collect()
    {
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [DotNet] = RuntimeInformation.FrameworkDescription,
            [TorchSharp] = typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            [LibTorch] = LibTorchPackage() ?? LoadedPyTorch() ?? "unknown",
            [OperatingSystem] = $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
            [Cpu] = CpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString(),
            [CpuCores] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            [TorchThreads] = get_num_threads().ToString(CultureInfo.InvariantCulture),
            [Gpu] = Gpus(),
        };
        return tags;
    }

    // NVML names the GPUs (TorchSharp cannot); without it, LibTorch's count of CUDA devices is all there is.
    private static string Gpus()
    {
        if (!cuda.is_available())
        {
            return "none";
        }

        var described = NvidiaGpus.Describe();
        return described.Count > 0 ? string.Join("; ", described) : string.Create(CultureInfo.InvariantCulture, $"CUDA, {cuda.device_count()} device(s)");
    }

    // The native runtime package is not visible to code; the application's deps.json names it and its version.
    private static string? LibTorchPackage()
    {
        var entry = Assembly.GetEntryAssembly()?.GetName().Name;
        var candidates = Directory.Exists(AppContext.BaseDirectory)
            ? Directory.GetFiles(AppContext.BaseDirectory, "*.deps.json").OrderBy(f => Path.GetFileName(f) == $"{entry}.deps.json" ? 0 : 1)
            : Enumerable.Empty<string>();
        foreach (var file in candidates)
        {
            var match = RuntimePackage().Match(File.ReadAllText(file));
            if (match.Success)
            {
                return $"{match.Groups[1].Value} {match.Groups[2].Value}";
            }
        }

        return null;
    }

    // TorchRuntime=system: no package, but a PyTorch install's torch/lib is loaded; torch/version.py beside it names it.
    private static string? LoadedPyTorch()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        var library = File.ReadLines(maps).Select(l => l[(l.IndexOf('/', StringComparison.Ordinal) is >= 0 and var i ? i : l.Length)..])
            .FirstOrDefault(path => Path.GetFileName(path) == "libtorch_cpu.so");
        if (library is null)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(library)!;
        var versionFile = Path.Combine(folder, "..", "version.py");
        var version = File.Exists(versionFile)
            ? File.ReadLines(versionFile).Select(l => PyTorchVersion().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value
            : null;
        return version is null ? $"system LibTorch ({folder})" : $"PyTorch {version} ({folder})";
    }

    private static string? CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return null;
        }

        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    [GeneratedRegex("^__version__\\s*=\\s*['\"]([^'\"]+)['\"]", RegexOptions.CultureInvariant)]
    private static partial Regex PyTorchVersion();

    [GeneratedRegex("\"((?:libtorch-[a-z0-9-]+)|(?:TorchSharp-cuda-[a-z]+))/([0-9][0-9A-Za-z.-]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex RuntimePackage();
}
