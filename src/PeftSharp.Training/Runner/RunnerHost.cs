namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using PeftSharp.Tracking;

/// <summary>
/// The world the runner talks to: the console, the environment and the tracking backend. The defaults are the
/// process's; tests pass writers, a store and a token.
/// </summary>
public sealed record RunnerHost
{
    /// <summary>Results and progress.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Errors.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Looks up environment variables (tracking URI, <c>PEFTSHARP_*</c> hyperparameters).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The tracking backend; null creates one from the environment (<see cref="TrackingClients.FromEnvironment(string?)"/>) and disposes it at the end, which flushes a server client's spool.</summary>
    public ITrackingClient? Tracking { get; init; }

    /// <summary>Stops training like Ctrl-C does (for tests and embedding).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Whether Ctrl-C and SIGTERM stop training gracefully (KILLED run, checkpoint, exit 130).</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>When the output is not a terminal: the time between plain progress lines (zero: a line per step).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Live progress line (true), plain lines (false), or null to pick live exactly when <see cref="Output"/> is a terminal.</summary>
    public bool? LiveProgress { get; init; }

    /// <summary>
    /// The program and leading arguments that start a sweep worker (<c>--workers</c>): by default this program again
    /// (<c>dotnet app.dll</c> when run through the dotnet host).
    /// </summary>
    public (string FileName, IReadOnlyList<string> Arguments) WorkerCommand { get; init; } = ThisProgram();

    /// <summary>How the user started the program, for the printed resume command (default: the entry assembly's name).</summary>
    public string CommandName { get; init; } = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "experiment";

    private static (string, IReadOnlyList<string>) ThisProgram()
    {
        var process = System.Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entry) ? (process, [entry]) : (process, []);
    }
}
