namespace PeftSharp.Tracking;

using System;
using System.IO;

/// <summary>Where and how <see cref="SpoolingTrackingClient"/> keeps runs on disk until the server has them.</summary>
public sealed class SpoolOptions
{
    /// <summary>The environment variable that overrides <see cref="Directory"/>'s default.</summary>
    public const string DirectoryVariable = "PEFTSHARP_SPOOL_DIR";

    /// <summary>
    /// The spool folder: one subfolder per run (<c>journal.jsonl</c>, <c>state.json</c>, staged artifacts). Default:
    /// <c>$PEFTSHARP_SPOOL_DIR</c>, else <c>~/.peftsharp/spool</c> (not inside <c>mlruns/</c>, which MLflow would read as an experiment).
    /// </summary>
    public string Directory { get; set; } = DefaultDirectory(Environment.GetEnvironmentVariable);

    /// <summary>How long ending a run waits for the server to receive everything (default 30 s); the rest stays spooled.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long ending a run waits when the server is already known to be unreachable (default 3 s).</summary>
    public TimeSpan OfflineFlushTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Retries for the calls that start a run (experiment lookup, run creation) before going offline (default 1).</summary>
    public int StartupRetries { get; set; } = 1;

    /// <summary>The first wait before trying an unreachable server again; it doubles up to <see cref="MaxRetryInterval"/>.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between delivery attempts while the server is unreachable (default 60 s).</summary>
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the delivery task looks for new records when nobody woke it (default 250 ms): the most a point waits before it is sent.</summary>
    public TimeSpan DeliveryInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The most metric points sent in one delivery round (several requests of 1000); default 5000.</summary>
    public int MaxMetricsPerDelivery { get; set; } = 5000;

    /// <summary>Whether a run's spool folder is kept after everything was delivered (default false: deleted).</summary>
    public bool KeepDelivered { get; set; }

    /// <summary>Receives warnings (server unreachable, records rejected, data left in the spool); default: standard error.</summary>
    public Action<string> Log { get; set; } = message => Console.Error.WriteLine("[tracking] " + message);

    /// <summary>The default spool folder for a variable lookup.</summary>
    /// <param name="getVariable">Looks up an environment variable.</param>
    /// <returns>The absolute folder path.</returns>
    public static string DefaultDirectory(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? configured = getVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".peftsharp", "spool");
    }
}
