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
    /// <see cref="NotSupportedException"/> until the REST client exists.
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
        return FromTrackingUri(getVariable(TrackingUriVariable), defaultRoot);
    }

    /// <summary>The client for a tracking URI, with the rules of <see cref="FromEnvironment(string?)"/>.</summary>
    /// <param name="trackingUri">The URI or path; null or blank selects <paramref name="defaultRoot"/>.</param>
    /// <param name="defaultRoot">The store used when no URI is given; null means <c>mlruns</c> in the current directory.</param>
    /// <returns>The client.</returns>
    /// <exception cref="NotSupportedException">The URI names a server or a database backend.</exception>
    public static ITrackingClient FromTrackingUri(string? trackingUri, string? defaultRoot = null) =>
        new MlflowFileStore(ResolveFileStoreRoot(trackingUri, defaultRoot));

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
                $"{TrackingUriVariable} names an MLflow tracking server, but the REST client is not implemented yet; " +
                $"unset {TrackingUriVariable} to record runs in ./mlruns."),
            _ => throw new NotSupportedException(
                $"{TrackingUriVariable} uses the '{scheme.Groups[1].Value}' scheme, which PeftSharp does not support; " +
                $"unset {TrackingUriVariable} to record runs in ./mlruns, or set it to a folder or a file:/// URI."),
        };
    }

    // Two or more characters, so a Windows drive ("C:\runs") reads as a path.
    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]+):", RegexOptions.CultureInvariant)]
    private static partial Regex SchemePattern();
}
