namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data;
using PeftSharp.Platform;
using PeftSharp.Tracking;
using PeftSharp.Training.Experiments;
using static TorchSharp.torch;

/// <summary>
/// The entry point of every experiment project. An experiment is an <see cref="ExperimentAttribute"/> options class
/// and a <c>TrainAsync(options, context)</c> method; its <c>Program.cs</c> is one line:
/// <c>return await ExperimentRunner.RunAsync&lt;MyOptions&gt;(args, MyExperiment.TrainAsync);</c>.
/// The runner owns the command line (run, <c>--sweep</c>, resume, compare, sync, import, the experiment's own
/// commands, <c>--help</c>), the tracking client, the MLflow run (params, environment tags, system metrics, status),
/// Ctrl-C, the device, the seed and the checkpoint folder. See docs/runner.md.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Exit code for invalid arguments or an unknown command.</summary>
    public const int UsageError = ExperimentHost.UsageError;

    /// <summary>Exit code of a run that Ctrl-C (or SIGTERM) stopped: 128 + SIGINT, as shells report it.</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Exit code of a failed run.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Set in a sweep worker's environment: the parent run its trial belongs to.</summary>
    public const string ParentRunVariable = "PEFTSHARP_PARENT_RUN_ID";

    /// <summary>The commands every experiment has, with their <c>--help</c> lines.</summary>
    public static IReadOnlyList<(string Command, string Description)> BuiltInCommands { get; } =
    [
        ("run", "train and record a run, or a sweep of runs with --sweep (the default command)"),
        ("resume <checkpoint>", "continue an interrupted run from its checkpoint, with the options recorded for that run (or the options given)"),
        ("reproduce <run-id>", "rerun a recorded run from its params, checking data and code, and compare its metrics"),
        ("compare", "compare recorded runs side by side (compare --help)"),
        ("sync", "push a local mlruns/ store or the offline spool to a server (sync --help)"),
        ("import", "convert CSV, JSON Lines or ARFF to Parquet (import --help)"),
    ];

    /// <summary>Runs the command in <paramref name="args"/> on the console and returns the process exit code.</summary>
    /// <typeparam name="TOptions">The experiment's options class.</typeparam>
    /// <param name="args">The program's arguments.</param>
    /// <param name="train">Trains one run: the experiment's <c>TrainAsync</c> (it may return a result, which the command line ignores).</param>
    /// <param name="commands">The experiment's own commands (<c>prepare-data</c>, ...).</param>
    /// <returns>0 on success, 1 for a failed run, 2 for invalid arguments, 130 after Ctrl-C.</returns>
    public static Task<int> RunAsync<TOptions>(IReadOnlyList<string> args, Func<TOptions, RunContext, Task> train, params ExperimentCommand<TOptions>[] commands)
        where TOptions : IExperiment<TOptions> =>
        RunAsync(args, train, commands, new RunnerHost());

    /// <summary>As <see cref="RunAsync{TOptions}(IReadOnlyList{string}, Func{TOptions, RunContext, Task}, ExperimentCommand{TOptions}[])"/>, in <paramref name="host"/>.</summary>
    public static async Task<int> RunAsync<TOptions>(
        IReadOnlyList<string> args, Func<TOptions, RunContext, Task> train, IReadOnlyList<ExperimentCommand<TOptions>> commands, RunnerHost host)
        where TOptions : IExperiment<TOptions>
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(host);
        var command = args.Count > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var rest = args.Count > 0 && !args[0].StartsWith('-') ? args.Skip(1).ToList() : args.ToList();
        switch (command)
        {
            case "compare" or "sync":
                return await TrackingCommands.RunAsync(command, rest, host.Output, host.Error, host.Environment).ConfigureAwait(false);
            case "import":
                return await DataCommands.RunAsync(command, rest, host.Output, host.Error).ConfigureAwait(false);
            case "resume" when rest.Count == 0 || rest[0].StartsWith('-'):
                if (rest.Contains("--help") || rest.Contains("-h"))
                {
                    await host.Output.WriteAsync(HelpText(commands)).ConfigureAwait(false);
                    return 0;
                }

                await host.Error.WriteLineAsync("error: resume needs the checkpoint folder: resume <checkpoint> [the run's options].").ConfigureAwait(false);
                return UsageError;
            case "resume" when rest.Count == 1:
                return await ResumeFromRecordAsync(rest[0], train, commands, host).ConfigureAwait(false);
            case "resume":
                return await TrainCommandAsync(rest.Skip(1).Concat(["--resume", rest[0]]).ToList(), train, commands, host).ConfigureAwait(false);
            case "run":
                return await TrainCommandAsync(rest, train, commands, host).ConfigureAwait(false);
            case "reproduce" when rest.Count == 0 || rest[0].StartsWith('-'):
                if (rest.Contains("--help") || rest.Contains("-h"))
                {
                    await host.Output.WriteAsync(HelpText(commands)).ConfigureAwait(false);
                    return 0;
                }

                await host.Error.WriteLineAsync("error: reproduce needs the run id: reproduce <run-id> [runner options such as --checkpoint-dir].").ConfigureAwait(false);
                return UsageError;
            case "reproduce":
                return await ReproduceAsync(rest[0], rest.Skip(1).ToList(), train, commands, host).ConfigureAwait(false);
        }

        var own = commands.FirstOrDefault(c => c.Name == command);
        if (own is null)
        {
            var valid = BuiltInCommands.Select(c => c.Command.Split(' ')[0]).Concat(commands.Select(c => c.Name));
            await host.Error.WriteLineAsync(
                $"error: Unknown command '{command}'. Commands: {string.Join(", ", valid)} (run is the default). Run with --help for the options.").ConfigureAwait(false);
            return UsageError;
        }

        var bound = await BindAsync(rest, commands, host).ConfigureAwait(false);
        if (bound?.Values is null)
        {
            return bound is null ? UsageError : 0;
        }

        var b = bound;

        try
        {
            return await own.Run(b.Trials[0].Options, host.Output, host.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return InterruptedExitCode;
        }
        catch (Exception e) when (IsUserError(e))
        {
            await host.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return FailureExitCode;
        }
    }

    /// <summary>
    /// Trains one run of <paramref name="options"/> through the runner, without a command line: for tests and
    /// notebooks. The run is recorded and ended (FINISHED, KILLED or FAILED) as on the command line.
    /// </summary>
    /// <typeparam name="TOptions">The experiment's options class.</typeparam>
    /// <typeparam name="TResult">What <paramref name="train"/> returns.</typeparam>
    /// <param name="options">The bound hyperparameters.</param>
    /// <param name="train">The experiment's <c>TrainAsync</c>.</param>
    /// <param name="settings">The runner settings; null for the defaults (seed 42, device auto).</param>
    /// <param name="host">Console, environment and tracking; null for the process's.</param>
    /// <returns>The run's id, status and the experiment's result.</returns>
    public static async Task<RunResult<TResult>> TrainAsync<TOptions, TResult>(
        TOptions options, Func<TOptions, RunContext, Task<TResult>> train, RunSettings? settings = null, RunnerHost? host = null)
        where TOptions : IExperiment<TOptions>
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        host ??= new RunnerHost();
        var tracking = host.Tracking ?? TrackingClients.FromEnvironment(null, host.Environment);
        try
        {
            return await TrainOneAsync(options, settings ?? new RunSettings(), train, host, tracking, parent: null, runName: null, resumeHint: host.CommandName).ConfigureAwait(false);
        }
        finally
        {
            if (host.Tracking is null)
            {
                (tracking as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>The <c>--help</c> text: commands, the experiment's hyperparameters, the runner's options.</summary>
    public static string HelpText<TOptions>(IReadOnlyList<ExperimentCommand<TOptions>>? commands = null)
        where TOptions : IExperiment<TOptions> =>
        ExperimentHelp.Format(
            TOptions.Info,
            TOptions.Bind(ExperimentValues.Empty(TOptions.Info)).ParameterValues(),
            BuiltInCommands.Concat((commands ?? []).Select(c => (c.Name, c.Description))),
            RunnerOptions.HelpRows(TOptions.Info));

    private static async Task<int> TrainCommandAsync<TOptions>(
        List<string> args, Func<TOptions, RunContext, Task> train, IReadOnlyList<ExperimentCommand<TOptions>> commands, RunnerHost host)
        where TOptions : IExperiment<TOptions>
    {
        var bound = await BindAsync(args, commands, host).ConfigureAwait(false);
        if (bound?.Values is null)
        {
            return bound is null ? UsageError : 0;
        }

        var b = bound;

        var tracking = host.Tracking ?? TrackingClients.FromEnvironment(null, host.Environment);
        try
        {
            var resumeHint = $"{host.CommandName} {string.Join(' ', args.Where((a, i) => a != "--resume" && (i == 0 || args[i - 1] != "--resume")))}".TrimEnd();
            async Task<object?> Train(TOptions o, RunContext c)
            {
                await train(o, c).ConfigureAwait(false);
                return null;
            }

            if (b.Values.SweepMode is null)
            {
                var result = await TrainOneAsync<TOptions, object?>(b.Trials[0].Options, b.Trials[0].Settings, Train, host, tracking, null, null, resumeHint).ConfigureAwait(false);
                return result.ExitCode;
            }

            return await SweepAsync(b, args, Train, host, tracking, resumeHint).ConfigureAwait(false);
        }
        finally
        {
            if (host.Tracking is null)
            {
                // A server client spools to disk and delivers in the background: disposing flushes it.
                (tracking as IDisposable)?.Dispose();
            }
        }
    }

    // resume <checkpoint> alone: the options are those recorded for the run that wrote the checkpoint.
    private static async Task<int> ResumeFromRecordAsync<TOptions>(
        string checkpoint, Func<TOptions, RunContext, Task> train, IReadOnlyList<ExperimentCommand<TOptions>> commands, RunnerHost host)
        where TOptions : IExperiment<TOptions>
    {
        IReadOnlyList<string> args;
        var tracking = host.Tracking ?? TrackingClients.FromEnvironment(null, host.Environment);
        try
        {
            var runId = CheckpointRunFile.FindRunId(checkpoint);
            var original = tracking.GetRun(runId);
            args = RunReproduction.Arguments(TOptions.Info, original);
            await host.Output.WriteLineAsync($"Resuming run {runId} ('{original.Info.RunName}') from {checkpoint} with its recorded options: {string.Join(' ', args)}").ConfigureAwait(false);
        }
        catch (Exception e) when (e is TrackingException or InvalidOperationException or IOException)
        {
            await host.Error.WriteLineAsync(
                $"error: cannot read the options of the run that wrote {checkpoint}: {e.Message} Give them after the checkpoint: resume {checkpoint} [the run's options].").ConfigureAwait(false);
            return FailureExitCode;
        }
        finally
        {
            if (host.Tracking is null)
            {
                (tracking as IDisposable)?.Dispose();
            }
        }

        return await TrainCommandAsync([.. args, "--resume", checkpoint], train, commands, host).ConfigureAwait(false);
    }

    private static async Task<int> ReproduceAsync<TOptions>(
        string runId, List<string> extra, Func<TOptions, RunContext, Task> train, IReadOnlyList<ExperimentCommand<TOptions>> commands, RunnerHost host)
        where TOptions : IExperiment<TOptions>
    {
        var tracking = host.Tracking ?? TrackingClients.FromEnvironment(null, host.Environment);
        try
        {
            RunRecord original;
            IReadOnlyList<string> args;
            try
            {
                original = tracking.GetRun(runId);
                args = RunReproduction.Arguments(TOptions.Info, original);
            }
            catch (Exception e) when (e is TrackingException or InvalidOperationException or IOException)
            {
                await host.Error.WriteLineAsync($"error: cannot reproduce run {runId}: {e.Message}").ConfigureAwait(false);
                return FailureExitCode;
            }

            var bound = await BindAsync([.. args, .. extra], commands, host).ConfigureAwait(false);
            if (bound?.Values is null)
            {
                return bound is null ? UsageError : 0;
            }

            var output = host.Output;
            await output.WriteLineAsync($"Reproducing run {runId} ('{original.Info.RunName}') with: {string.Join(' ', args)}").ConfigureAwait(false);
            var recordedCommit = original.Tags.GetValueOrDefault(SystemTags.GitCommit);
            var current = SystemTags.Collect();
            var currentCommit = current.GetValueOrDefault(SystemTags.GitCommit);
            var sameCode = recordedCommit is not null && recordedCommit == currentCommit
                && original.Tags.GetValueOrDefault(SystemTags.GitDirty) != "true" && current.GetValueOrDefault(SystemTags.GitDirty) != "true";
            await output.WriteLineAsync(sameCode
                ? $"Code: commit {recordedCommit}, as recorded."
                : $"Code: recorded commit {recordedCommit ?? "unknown"}{(original.Tags.GetValueOrDefault(SystemTags.GitDirty) == "true" ? " (with uncommitted changes)" : string.Empty)}, now {currentCommit ?? "unknown"}{(current.GetValueOrDefault(SystemTags.GitDirty) == "true" ? " (with uncommitted changes)" : string.Empty)}: differences may come from the code.").ConfigureAwait(false);

            async Task<object?> Train(TOptions o, RunContext c)
            {
                await train(o, c).ConfigureAwait(false);
                return null;
            }

            var trial = bound.Trials[0];
            var rerun = await TrainOneAsync<TOptions, object?>(
                trial.Options, trial.Settings with { RunName = trial.Settings.RunName ?? $"reproduce-{original.Info.RunName}" }, Train, host, tracking, null, null, host.CommandName,
                new Reproduction(runId, RunReproduction.DatasetDigests(original))).ConfigureAwait(false);
            if (rerun.Status != RunStatus.Finished)
            {
                await output.WriteLineAsync($"Not reproduced: the rerun ended {rerun.Status.ToString().ToUpperInvariant()}{(rerun.Error is null ? string.Empty : ": " + rerun.Error)}").ConfigureAwait(false);
                return Math.Max(rerun.ExitCode, FailureExitCode);
            }

            var comparisons = RunReproduction.CompareMetrics(tracking, runId, rerun.RunId);
            foreach (var comparison in comparisons)
            {
                await output.WriteLineAsync($"  {(comparison.Matches ? "match   " : "MISMATCH")}  {comparison.Key}: {comparison.Detail}").ConfigureAwait(false);
            }

            var mismatches = comparisons.Count(c => !c.Matches);
            await output.WriteLineAsync(mismatches == 0
                ? $"Reproduced: all {comparisons.Count} metrics of run {runId} match exactly in run {rerun.RunId}."
                : $"Not reproduced: {mismatches} of {comparisons.Count} metrics differ between run {runId} and run {rerun.RunId}.").ConfigureAwait(false);
            return mismatches == 0 ? 0 : FailureExitCode;
        }
        finally
        {
            if (host.Tracking is null)
            {
                (tracking as IDisposable)?.Dispose();
            }
        }
    }

    private static async Task<int> SweepAsync<TOptions>(
        BoundArguments<TOptions> bound, IReadOnlyList<string> args, Func<TOptions, RunContext, Task<object?>> train, RunnerHost host, ITrackingClient tracking, string resumeHint)
        where TOptions : IExperiment<TOptions>
    {
        var first = bound.Trials[0].Settings;
        var experimentName = first.ExperimentName ?? TrackingClients.ExperimentFromEnvironment(TOptions.Info.Name, host.Environment).ExperimentName;
        using var parent = TrackedRun.Start(tracking, experimentName, first.RunName ?? $"{TOptions.Info.Name}-{bound.Values!.SweepMode}-sweep");
        parent.LogParams(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sweep.mode"] = bound.Values!.SweepMode!,
            ["sweep.trials"] = bound.Trials.Count.ToString(CultureInfo.InvariantCulture),
            ["sweep.parameters"] = string.Join(",", bound.Trials.SelectMany(t => t.Assignment.Keys).Distinct().Order(StringComparer.Ordinal)),
        });
        await host.Output.WriteLineAsync($"Sweep ({bound.Values!.SweepMode}): {bound.Trials.Count} trials, parent run {parent.RunId}").ConfigureAwait(false);
        var names = bound.Trials.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"trial-{i + 1:D2}")
            + (t.Assignment.Count == 0 ? string.Empty : "-" + string.Join("-", t.Assignment.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}")))).ToList();
        var exitCode = 0;
        if (first.Workers > 1)
        {
            exitCode = await SweepWorkers.RunAsync(bound.Trials.Select(t => t.Assignment).ToList(), names, args, first.Workers, parent, tracking, host).ConfigureAwait(false);
        }
        else
        {
            for (var i = 0; i < bound.Trials.Count; i++)
            {
                var trial = bound.Trials[i];
                await host.Output.WriteLineAsync($"\n[{i + 1}/{bound.Trials.Count}] {names[i]}").ConfigureAwait(false);
                var result = await TrainOneAsync(trial.Options, trial.Settings, train, host, tracking, parent, names[i], resumeHint).ConfigureAwait(false);
                exitCode = Math.Max(exitCode, result.ExitCode);
                if (result.Status == RunStatus.Killed)
                {
                    break;
                }
            }
        }

        parent.End(exitCode switch
        {
            0 => RunStatus.Finished,
            InterruptedExitCode => RunStatus.Killed,
            _ => RunStatus.Failed,
        });
        return exitCode;
    }

    private static async Task<RunResult<TResult>> TrainOneAsync<TOptions, TResult>(
        TOptions options, RunSettings settings, Func<TOptions, RunContext, Task<TResult>> train, RunnerHost host, ITrackingClient tracking,
        TrackedRun? parent, string? runName, string resumeHint, Reproduction? reproduction = null)
        where TOptions : IExperiment<TOptions>
    {
        settings = RunnerOptions.ApplyDeclared(settings, options.ParameterValues());
        Device device;
        try
        {
            if (settings.Threads is { } threads)
            {
                set_num_threads(threads);
            }

            device = TorchDevices.Resolve(settings.Device);
            await ConfigureBackendsAsync(device, host.Error).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await host.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return new RunResult<TResult>(string.Empty, RunStatus.Failed, default, e.Message, null);
        }

        runName ??= settings.RunName ?? string.Create(CultureInfo.InvariantCulture, $"{TOptions.Info.Name}-seed{settings.Seed}");
        // A sweep worker (--workers) gets its parent run and experiment id from the environment.
        var parentRunId = parent?.RunId ?? host.Environment(ParentRunVariable);
        using var run = parent is not null
            ? parent.StartChild(runName)
            : settings.ExperimentName is { } experiment
                ? TrackedRun.Start(tracking, experiment, runName)
                : TrackedRun.StartFromEnvironment(
                    tracking, TOptions.Info.Name, runName, parentRunId is null ? null : [new RunTag(SystemTags.ParentRunId, parentRunId)], host.Environment);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(host.CancellationToken);
        using var interrupt = host.HandleSignals ? run.KillOnInterrupt(cancel) : null;
        using var systemMetrics = run.StartSystemMetrics();
        var runDirectory = tracking is MlflowFileStore store ? Path.Combine(store.RootDirectory, run.Info.ExperimentId, run.RunId) : null;
        try
        {
            foreach (var (key, value) in EnvironmentTags.Collect())
            {
                run.SetTag(key, value);
            }

            if (settings.Resume is not null)
            {
                run.SetTag(RunNames.ResumedFromTag, Path.GetFullPath(settings.Resume));
            }

            if (reproduction is not null)
            {
                run.SetTag(RunNames.ReproducesTag, reproduction.RunId);
            }

            var parameters = new SortedDictionary<string, string>(ExperimentParameters.ToLog(TOptions.Info, options.ParameterValues()).ToDictionary(), StringComparer.Ordinal)
            {
                [RunNames.Seed] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["device"] = settings.Device,
                [RunNames.BaseDtype] = settings.BaseDtype,
                [RunNames.Device] = device.ToString(),
            };
            run.LogParams(parameters);

            // Trials of a sweep share --checkpoint-dir: each gets its own folder in it.
            var checkpoints = settings.CheckpointDirectory is { } chosen
                ? (parentRunId is null ? chosen : Path.Combine(chosen, run.RunId))
                : Path.Combine("checkpoints", run.RunId);
            Directory.CreateDirectory(checkpoints);
            var config = Path.Combine(checkpoints, "config.json");
            await File.WriteAllTextAsync(
                config,
                JsonSerializer.Serialize(options.ParameterValues().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value), ConfigJson),
                cancel.Token).ConfigureAwait(false);
            run.LogArtifact(config);
            CheckpointRunFile.Write(checkpoints, run.RunId, run.Info.ExperimentId);

            Reproducibility.Seed(settings.Seed);
            var context = new RunContext(run, settings, device, checkpoints, host, resumeHint, cancel.Token) { Reproduction = reproduction };
            var result = await train(options, context).ConfigureAwait(false);
            run.End(RunStatus.Finished);
            await ReportLocationAsync(host.Output, tracking, run, runDirectory).ConfigureAwait(false);
            return new RunResult<TResult>(run.RunId, RunStatus.Finished, result, null, runDirectory);
        }
        catch (OperationCanceledException e)
        {
            run.End(RunStatus.Killed);
            return new RunResult<TResult>(run.RunId, RunStatus.Killed, default, e.Message, runDirectory);
        }
        catch (Exception e)
        {
            // The reason goes to the run, so the MLflow UI says why it FAILED, not only that it did.
            run.SetTag("peftsharp.error", e.Message.Length > 5000 ? e.Message[..5000] : e.Message);
            run.End(RunStatus.Failed);
            await host.Error.WriteLineAsync(IsUserError(e) ? $"error: {e.Message}" : $"error: {e}").ConfigureAwait(false);
            await host.Error.WriteLineAsync($"Run {run.RunId} marked FAILED.").ConfigureAwait(false);
            return new RunResult<TResult>(run.RunId, RunStatus.Failed, default, e.Message, runDirectory);
        }
    }

    // cuDNN's attention compiles a kernel per sequence length: seconds per new batch shape in bfloat16 on a GPU
    // (LibTorchBackends.CuDnnAttentionEnabled).
    private static async Task ConfigureBackendsAsync(Device device, TextWriter error)
    {
        if (device.type != TorchSharp.DeviceType.CUDA)
        {
            return;
        }

        try
        {
            LibTorchBackends.CuDnnAttentionEnabled = false;
        }
        catch (PlatformNotSupportedException e)
        {
            await error.WriteLineAsync($"warning: {e.Message} New sequence lengths may be slow in bfloat16.").ConfigureAwait(false);
        }
    }

    private static readonly JsonSerializerOptions ConfigJson = new() { WriteIndented = true };

    private static async Task ReportLocationAsync(TextWriter output, ITrackingClient tracking, TrackedRun run, string? runDirectory)
    {
        if (tracking is MlflowFileStore store)
        {
            await output.WriteLineAsync($"""
                Run {run.RunId} recorded in {runDirectory}
                Look at it: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri {store.RootDirectory}
                """).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"Run {run.RunId} recorded in MLflow experiment {run.Info.ExperimentId}.").ConfigureAwait(false);
        }
    }

    // Problems a user can fix (bad data, bad option, missing file): one line. Anything else is a bug: the stack trace helps.
    private static bool IsUserError(Exception e) =>
        e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or NotSupportedException or UnauthorizedAccessException;

    // Binds the options (after taking out the runner's), or prints help (returns a non-null default) or the error (returns null).
    private static async Task<BoundArguments<TOptions>?> BindAsync<TOptions>(
        IReadOnlyList<string> args, IReadOnlyList<ExperimentCommand<TOptions>> commands, RunnerHost host)
        where TOptions : IExperiment<TOptions>
    {
        try
        {
            var (settings, rest) = RunnerOptions.Extract(args, TOptions.Info);
            var values = ExperimentValues.Resolve(TOptions.Info, rest, host.Environment);
            if (values.HelpRequested)
            {
                await host.Output.WriteAsync(HelpText(commands)).ConfigureAwait(false);
                return BoundArguments<TOptions>.Help;
            }

            var trials = ExperimentSweep.Assignments(TOptions.Info, values)
                .Select(a =>
                {
                    var options = TOptions.Bind(ExperimentValues.Resolve(TOptions.Info, rest, host.Environment, a));
                    return new Trial<TOptions>(options, settings, a);
                })
                .ToList();
            return new BoundArguments<TOptions>(values, trials);
        }
        catch (ExperimentBindingException e)
        {
            await host.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await host.Error.WriteLineAsync("Run with --help to list the options.").ConfigureAwait(false);
            return null;
        }
    }
}
