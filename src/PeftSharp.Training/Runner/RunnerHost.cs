namespace PeftSharp.Training.Runner;

using System;
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

    /// <summary>How the user started the program, for the printed resume command (default: the entry assembly's name).</summary>
    public string CommandName { get; init; } = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "experiment";
}
