namespace PeftSharp.Tests.Experiments;

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Tests.Data;
using Xunit;

/// <summary>Ctrl-C for real: SIGINT sent to the experiment running as a child process.</summary>
public sealed partial class InterruptTests : IDisposable
{
    private const int SigInt = 2;
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Sigint_saves_a_resumable_checkpoint_and_marks_the_run_killed()
    {
        var mlruns = temp.File("mlruns");
        var checkpoints = temp.File("checkpoints");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = temp.Path,
            Environment = { ["MLFLOW_TRACKING_URI"] = mlruns },
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "BreastCancerLora.dll"),
            "--data", temp.File("bc.parquet"), "--device", "cpu", "--pretrain-epochs", "2",
            "--epochs", "100000", "--checkpoint-dir", checkpoints,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var adapting = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("Adapting", StringComparison.Ordinal) == true)
            {
                adapting.Set();
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();

        adapting.Wait(TimeSpan.FromMinutes(3)).Should().BeTrue("the experiment should reach the adaptation phase; output:\n" + output);
        Thread.Sleep(1500);
        Kill(process.Id, SigInt).Should().Be(0);
        process.WaitForExit((int)TimeSpan.FromMinutes(2).TotalMilliseconds).Should().BeTrue("SIGINT must stop the run");
        await process.WaitForExitAsync();

        process.ExitCode.Should().Be(130, $"stdout:\n{output}\nstderr:\n{await error}");
        var checkpoint = Directory.GetDirectories(checkpoints, "step-*").Should().ContainSingle().Subject;
        File.Exists(Path.Combine(checkpoint, "trainer_state.json")).Should().BeTrue();
        output.ToString().Should().Contain("--resume " + checkpoint);
        var runMeta = Directory.GetFiles(mlruns, "meta.yaml", SearchOption.AllDirectories)
            .Single(f => File.ReadAllText(f).Contains("run_id:", StringComparison.Ordinal));
        File.ReadAllText(runMeta).Should().Contain("status: 5", "KILLED is status 5 in the file store");
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
