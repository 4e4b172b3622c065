namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Tracking;

/// <summary>
/// Runs the trials of a sweep in child processes, N at a time (<c>--workers N</c>): each is this program again with
/// the sweep's arguments minus the sweep options, plus the trial's values and run name; the parent run id and its
/// experiment travel in the environment, so each child run is recorded under the parent. Children's output is
/// passed on line by line, prefixed with the trial's name.
/// </summary>
internal static class SweepWorkers
{
    // Options that start or shape the sweep itself: a worker runs one trial.
    private static readonly string[] SweepOptions = ["sweep", "trials", "sweep-seed", "workers", "run-name"];

    public static async Task<int> RunAsync(
        IReadOnlyList<IReadOnlyDictionary<string, string>> assignments,
        IReadOnlyList<string> names,
        IReadOnlyList<string> args,
        int workers,
        TrackedRun parent,
        ITrackingClient tracking,
        RunnerHost host)
    {
        var common = WithoutSweepOptions(args);
        using var slots = new SemaphoreSlim(workers);
        var outputLock = new Lock();
        var tasks = assignments.Select(async (assignment, i) =>
        {
            await slots.WaitAsync(host.CancellationToken).ConfigureAwait(false);
            try
            {
                var trialArgs = common.Concat(assignment.SelectMany(a => new[] { $"--{a.Key}", a.Value })).Concat(["--run-name", names[i]]).ToList();
                return await RunTrialAsync(trialArgs, names[i], parent, tracking, host, outputLock).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        var codes = await Task.WhenAll(tasks).ConfigureAwait(false);
        return codes.Max();
    }

    private static List<string> WithoutSweepOptions(IReadOnlyList<string> args)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..].Split('=')[0] : null;
            if (name is not null && SweepOptions.Contains(name))
            {
                // Skip the value too, unless it came as --name=value.
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            kept.Add(args[i]);
        }

        return kept;
    }

    private static async Task<int> RunTrialAsync(
        List<string> trialArgs, string name, TrackedRun parent, ITrackingClient tracking, RunnerHost host, Lock outputLock)
    {
        var (fileName, prefix) = host.WorkerCommand;
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in prefix.Concat(trialArgs))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[ExperimentRunner.ParentRunVariable] = parent.RunId;
        start.Environment["MLFLOW_EXPERIMENT_ID"] = parent.Info.ExperimentId;
        start.Environment.Remove("MLFLOW_RUN_ID");
        if (tracking is MlflowFileStore store)
        {
            // The child must write into the store this process uses, also when a test or host passed it in.
            start.Environment[TrackingClients.TrackingUriVariable] = store.RootDirectory;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the sweep worker '{fileName}'.");
        void Forward(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            lock (outputLock)
            {
                (error ? host.Error : host.Output).WriteLine($"[{name}] {line}");
            }
        }

        process.OutputDataReceived += (_, e) => Forward(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, error: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        lock (outputLock)
        {
            host.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{name}] exited with code {process.ExitCode}"));
        }

        return process.ExitCode;
    }
}
