namespace PeftSharp.Generators.Tests;

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>
/// A real <c>dotnet build</c> of a project that consumes the generator the way experiments do: the only check that
/// catches a generator the SDK's compiler refuses to load (a newer Roslyn is silently skipped, CS9057), and the proof
/// that every documented misuse fails the build with its id.
/// </summary>
public sealed class RealBuildTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "peftsharp-build-" + Guid.NewGuid().ToString("N"));

    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <NoWarn>CS0169;CS0649;CS0414</NoWarn>
            <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="TorchSharp" Version="0.107.0" />
            <Reference Include="BIN/PeftSharp.dll" />
            <Reference Include="BIN/PeftSharp.Training.dll" />
            <Analyzer Include="BIN/PeftSharp.Generators.dll" />
          </ItemGroup>
        </Project>
        """;

    private const string Valid = """
        using PeftSharp;
        using PeftSharp.Training.Experiments;
        using static TorchSharp.torch;

        namespace Consumer;

        public sealed partial class Block : nn.Module<Tensor, Tensor>
        {
            private nn.Module<Tensor, Tensor> query = nn.Linear(4, 4);
            public Block() : base("block") => RegisterComponents();
            public override Tensor forward(Tensor x) => query.call(x);
        }

        [LoraTargets("query", Rank = 4)]
        public sealed partial class Net : nn.Module<Tensor, Tensor>
        {
            private Block block = new();
            [LoraTarget(8, Alpha = 16, UseRsLora = true)] private nn.Module<Tensor, Tensor> hidden = nn.Linear(4, 4);
            [IA3Target(FeedForward = true)] private nn.Module<Tensor, Tensor> ff = nn.Linear(4, 4);
            [Trainable] private nn.Module<Tensor, Tensor> head = nn.Linear(4, 2);
            public Net() : base("net") => RegisterComponents();
            public override Tensor forward(Tensor x) => head.call(ff.call(hidden.call(block.call(x))));
        }

        [Experiment("consumer")]
        public sealed partial class Run
        {
            [Hyperparameter(Description = "rate", Min = 0, Max = 1, Sweep = new[] { "0.1", "0.2" })]
            public double LearningRate { get; set; } = 0.1;
            public int? Rank { get; set; }
            [Model] public Net CreateModel() => new();
            [Dataset] public string Data => "none";
        }

        public static class Check
        {
            public static IAdaptableModel Model() => new Net();
            public static Run Bind(string[] args) => Run.Bind(args);
        }
        """;

    // One file per documented misuse; each must fail the build with its id.
    private static readonly (string Id, string Source)[] Misuses =
    [
        ("PEFT001", "public sealed class M1 : nn.Module<Tensor, Tensor> { [LoraTarget] private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2); public M1() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => x; }"),
        ("PEFT002", "public sealed partial class M2 : nn.Module<Tensor, Tensor> { [LoraTarget] private TorchSharp.Modules.Linear a = nn.Linear(2, 2); public M2() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => x; }"),
        ("PEFT003", "public sealed partial class M3 : nn.Module<Tensor, Tensor> { [LoraTarget(0, Alpha = -1, Dropout = 1)] private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2); public M3() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => x; }"),
        ("PEFT004", "public sealed partial class M4 : nn.Module<Tensor, Tensor> { [LoraTarget, Trainable] private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2); public M4() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => x; }"),
        ("PEFT008", "public sealed partial class M8 : nn.Module<Tensor, Tensor> { [IA3Target] private nn.Module<Tensor, Tensor> a = nn.Conv2d(2, 2, 1); public M8() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => x; }"),
        ("PEFT009", "public sealed partial class M9 : nn.Module<Tensor, Tensor> { [LoraTarget, IA3Target] private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2); public M9() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => x; }"),
        ("PEFT010", "[LoraTargets(\"nothing\")] public sealed partial class M10 : nn.Module<Tensor, Tensor> { private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2); public M10() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => a.call(x); }"),
        ("PEFT012", "[Experiment(\"e12\")] public sealed partial class E12 { public int[] Shape { get; set; } = []; [Model] public int M() => 0; [Dataset] public int D() => 0; }"),
        ("PEFT013", "[Experiment(\"e13\")] public sealed partial class E13 { public int Lr { get; set; } [Hyperparameter(Name = \"lr\")] public int LearningRate { get; set; } [Model] public int M() => 0; [Dataset] public int D() => 0; }"),
        ("PEFT014", "[Experiment(\"e14\")] public sealed partial class E14 { public int Seed { get; set; } }"),
        ("PEFT017", "public sealed class M17 : nn.Module<Tensor, Tensor> { private nn.Module<Tensor, Tensor> a = nn.Linear(2, 2); public M17() : base(\"m\") => RegisterComponents(); public override Tensor forward(Tensor x) => a.forward(x); }"),
    ];

    [Fact]
    public void Dotnet_build_runs_the_generator_and_fails_each_misuse_with_its_id()
    {
        Directory.CreateDirectory(directory);
        // The generator, PeftSharp and PeftSharp.Training this test project was built with, so only the consumer compiles.
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), Project.Replace("BIN", AppContext.BaseDirectory.TrimEnd('/'), StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(directory, "Valid.cs"), Valid);

        var (ok, okOutput) = Build();
        ok.Should().Be(0, "the valid project must build:\n{0}", okOutput);
        okOutput.Should().NotContain("CS9057", "the SDK compiler must be able to load the generator");
        Directory.GetFiles(Path.Combine(directory, "artifacts"), "*.g.cs", SearchOption.AllDirectories).Select(Path.GetFileName).Should()
            .Contain(["Consumer.Net.PeftSharp.g.cs", "Consumer.Block.PeftSharpAccessors.g.cs", "Consumer.Run.Experiment.g.cs"]);

        foreach (var (id, source) in Misuses)
        {
            File.WriteAllText(Path.Combine(directory, id + ".cs"), "using PeftSharp;\nusing PeftSharp.Training.Experiments;\nusing static TorchSharp.torch;\nnamespace Consumer;\n" + source);
        }

        var (failed, output) = Build();
        failed.Should().NotBe(0);
        foreach (var (id, _) in Misuses)
        {
            output.Should().Contain($"{id}.cs", "each misuse file reports its own error").And.MatchRegex($@"{id}\.cs\(\d+,\d+\): error {id}:");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private (int ExitCode, string Output) Build()
    {
        var info = new ProcessStartInfo("dotnet", ["build", Path.Combine(directory, "Consumer.csproj"), "--artifacts-path", Path.Combine(directory, "artifacts"), "-nologo", "-clp:NoSummary", "-p:UseLibTorchRuntime=false"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
