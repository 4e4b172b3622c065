namespace PeftSharp.Tracking;

using System;
using System.IO;
using System.Text.RegularExpressions;

/// <summary>Picks the tracking backend the way MLflow does, from <c>MLFLOW_TRACKING_URI</c>.</summary>
public static partial class TrackingClients
{
    /// <summary>The environment variable MLflow reads the tracking URI from.</summary>
    public const string TrackingUriVariable = "MLFLOW_TRACKING_URI";

    /// <summary>
    /// The client for <c>MLFLOW_TRACKING_URI</c>: unset or empty, a file store in <paramref name="defaultRoot"/>
    /// (default <c>./mlruns</c>); <c>file:///abs/path</c> or a plain path, a file store there; <c>http(s)://</c>, a
    /// <see cref="SpoolingTrackingClient"/> for that server (credentials and TLS from <see cref="MlflowRestOptions.FromEnvironment"/>,
    /// spool folder from <see cref="SpoolOptions.DirectoryVariable"/>).
    /// </summary>
    /// <param name="defaultRoot">The store used when the variable is unset; null means <c>mlruns</c> in the current directory.</param>
    /// <returns>The client.</returns>
    /// <exception cref="NotSupportedException">The URI names a server or a database backend.</exception>
    public static ITrackingClient FromEnvironment(string? defaultRoot = null) =>
        FromEnvironment(defaultRoot, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="FromEnvironment(string?)"/>, reading variables through <paramref name="getVariable"/>.</summary>
    /// <param name="defaultRoot">The store used when the variable is unset; null means <c>mlruns</c> in the current directory.</param>
    /// <param name="getVariable">Looks up an environment variable by name; null when unset.</param>
    /// <returns>The client.</returns>
    /// <exception cref="NotSupportedException">The URI names a server or a database backend.</exception>
    public static ITrackingClient FromEnvironment(string? defaultRoot, Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? uri = getVariable(TrackingUriVariable);
        if (IsServerUri(uri))
        {
            var options = MlflowRestOptions.FromEnvironment(getVariable);
            return new SpoolingTrackingClient(new MlflowRestClient(options), new SpoolOptions { Directory = SpoolOptions.DefaultDirectory(getVariable) });
        }

        return FromTrackingUri(uri, defaultRoot);
    }

    /// <summary>Whether a tracking URI names a server (<c>http://</c> or <c>https://</c>).</summary>
    /// <param name="trackingUri">The URI or path.</param>
    /// <returns>True for http and https URIs.</returns>
    public static bool IsServerUri(string? trackingUri) =>
        trackingUri is not null
        && (trackingUri.Trim().StartsWith("http://", StringComparison.OrdinalIgnoreCase) || trackingUri.Trim().StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The experiment a run should go to, as MLflow chooses it: <c>MLFLOW_EXPERIMENT_ID</c> (an id), else
    /// <c>MLFLOW_EXPERIMENT_NAME</c>, else <paramref name="defaultName"/>.
    /// </summary>
    /// <param name="defaultName">The program's own experiment name.</param>
    /// <param name="getVariable">Looks up an environment variable; null for the process environment.</param>
    /// <returns>(id or null, name): the id wins when set.</returns>
    public static (string? ExperimentId, string ExperimentName) ExperimentFromEnvironment(string defaultName, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? id = getVariable("MLFLOW_EXPERIMENT_ID");
        string? name = getVariable("MLFLOW_EXPERIMENT_NAME");
        return (string.IsNullOrWhiteSpace(id) ? null : id.Trim(), string.IsNullOrWhiteSpace(name) ? defaultName : name.Trim());
    }

    /// <summary>The client for a tracking URI, with the rules of <see cref="FromEnvironment(string?)"/>.</summary>
    /// <param name="trackingUri">The URI or path; null or blank selects <paramref name="defaultRoot"/>.</param>
    /// <param name="defaultRoot">The store used when no URI is given; null means <c>mlruns</c> in the current directory.</param>
    /// <returns>The client.</returns>
    /// <exception cref="NotSupportedException">The URI names a server or a database backend.</exception>
    public static ITrackingClient FromTrackingUri(string? trackingUri, string? defaultRoot = null) =>
        IsServerUri(trackingUri)
            ? new SpoolingTrackingClient(new MlflowRestClient(new MlflowRestOptions(trackingUri!)))
            : new MlflowFileStore(ResolveFileStoreRoot(trackingUri, defaultRoot));

    /// <summary>The folder a file-store tracking URI points to (see <see cref="FromTrackingUri"/>), without opening it.</summary>
    /// <param name="trackingUri">The URI or path; null or blank selects <paramref name="defaultRoot"/>.</param>
    /// <param name="defaultRoot">The folder used when no URI is given; null means <c>mlruns</c> in the current directory.</param>
    /// <returns>The absolute folder path.</returns>
    /// <exception cref="NotSupportedException">The URI names a server or a database backend.</exception>
    public static string ResolveFileStoreRoot(string? trackingUri, string? defaultRoot = null)
    {
        if (string.IsNullOrWhiteSpace(trackingUri))
        {
            return Path.GetFullPath(defaultRoot ?? "mlruns");
        }

        string uri = trackingUri.Trim();

        // The URI is never echoed: a server URI may carry credentials (https://user:token@host).
        var scheme = SchemePattern().Match(uri);
        if (!scheme.Success)
        {
            return Path.GetFullPath(uri);
        }

        string name = scheme.Groups[1].Value.ToUpperInvariant();
        return name switch
        {
            "FILE" => FileUris.ToPath(uri),
            "HTTP" or "HTTPS" => throw new NotSupportedException(
                $"{TrackingUriVariable} names an MLflow tracking server, not a folder; use FromEnvironment or FromTrackingUri for a server client."),
            _ => throw new NotSupportedException(
                $"{TrackingUriVariable} uses the '{scheme.Groups[1].Value}' scheme, which PeftSharp does not support; " +
                $"unset {TrackingUriVariable} to record runs in ./mlruns, or set it to a folder or a file:/// URI."),
        };
    }

    // Two or more characters, so a Windows drive ("C:\runs") reads as a path.
    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]+):", RegexOptions.CultureInvariant)]
    private static partial Regex SchemePattern();
}
