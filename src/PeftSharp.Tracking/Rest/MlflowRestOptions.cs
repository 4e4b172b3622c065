namespace PeftSharp.Tracking;

using System;
using System.Globalization;
using System.IO;

/// <summary>
/// How <see cref="MlflowRestClient"/> reaches a tracking server: the URI, credentials, TLS and the retry policy.
/// <see cref="FromEnvironment(Func{string, string?})"/> reads MLflow's own environment variables.
/// </summary>
/// <remarks>
/// Credentials live only here and in the request headers; <see cref="ToString"/>, error messages and spool files
/// carry <see cref="DisplayUri"/>, the URI without user information.
/// </remarks>
public sealed class MlflowRestOptions
{
    /// <summary>Creates options for a server URI (<c>http(s)://host[:port][/prefix]</c>).</summary>
    /// <param name="trackingUri">The tracking server's base URI; user information in it is used as Basic credentials and scrubbed.</param>
    /// <exception cref="ArgumentException">The URI is not an absolute http or https URI.</exception>
    public MlflowRestOptions(string trackingUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trackingUri);
        if (!Uri.TryCreate(trackingUri.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // The URI itself is not echoed: it may carry credentials.
            throw new ArgumentException(
                "The MLflow tracking URI must be an absolute http:// or https:// URI, e.g. http://127.0.0.1:5000.", nameof(trackingUri));
        }

        if (uri.UserInfo.Length != 0)
        {
            // https://user:password@host is how some users pass credentials; use them, never keep them in the URI.
            string[] parts = uri.UserInfo.Split(':', 2);
            Username = Uri.UnescapeDataString(parts[0]);
            Password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
        }

        BaseUri = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }.Uri;
    }

    /// <summary>The server's base URI without user information, query or fragment.</summary>
    public Uri BaseUri { get; }

    /// <summary>The base URI as shown in messages and stored in spool files (never carries credentials).</summary>
    public string DisplayUri => BaseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>The HTTP Basic user name (<c>MLFLOW_TRACKING_USERNAME</c>); with <see cref="Password"/> it takes precedence over <see cref="Token"/>.</summary>
    public string? Username { get; set; }

    /// <summary>The HTTP Basic password (<c>MLFLOW_TRACKING_PASSWORD</c>).</summary>
    public string? Password { get; set; }

    /// <summary>A bearer token (<c>MLFLOW_TRACKING_TOKEN</c>), used when no user name is set.</summary>
    public string? Token { get; set; }

    /// <summary>Skips TLS certificate validation (<c>MLFLOW_TRACKING_INSECURE_TLS=true</c>); for test servers only.</summary>
    public bool InsecureTls { get; set; }

    /// <summary>A PEM or DER CA certificate the server's certificate must chain to (<c>MLFLOW_TRACKING_SERVER_CERT_PATH</c>).</summary>
    public string? ServerCertificatePath { get; set; }

    /// <summary>Retries after the first attempt on 408, 429, 500, 502, 503, 504 and network errors (MLflow: 7).</summary>
    public int MaxRetries { get; set; } = 7;

    /// <summary>The first backoff; attempt n waits <c>BackoffFactor * 2^(n-1)</c> plus jitter (MLflow: 2 s).</summary>
    public TimeSpan BackoffFactor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest random jitter added to each backoff (MLflow: 1 s).</summary>
    public TimeSpan BackoffJitter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest single wait between attempts, Retry-After included (MLflow: 120 s).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The timeout of one HTTP request (MLflow: 120 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The clock for backoff delays; tests substitute one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The authorization header value, or null when no credentials are set. Never logged.</summary>
    internal System.Net.Http.Headers.AuthenticationHeaderValue? Authorization
    {
        get
        {
            if (!string.IsNullOrEmpty(Username))
            {
                byte[] raw = System.Text.Encoding.UTF8.GetBytes(Username + ":" + (Password ?? string.Empty));
                return new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(raw));
            }

            return string.IsNullOrEmpty(Token) ? null : new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }
    }

    /// <summary>
    /// Options from MLflow's environment variables: <c>MLFLOW_TRACKING_URI</c> (required, http or https),
    /// <c>MLFLOW_TRACKING_USERNAME</c>/<c>MLFLOW_TRACKING_PASSWORD</c> (Basic, precedence) or
    /// <c>MLFLOW_TRACKING_TOKEN</c> (Bearer), <c>MLFLOW_TRACKING_INSECURE_TLS</c>, <c>MLFLOW_TRACKING_SERVER_CERT_PATH</c>,
    /// <c>MLFLOW_HTTP_REQUEST_MAX_RETRIES</c>, <c>MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR</c>, <c>MLFLOW_HTTP_REQUEST_TIMEOUT</c>.
    /// </summary>
    /// <param name="getVariable">Looks up an environment variable; null when unset.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">A variable has an invalid value; the message names it.</exception>
    public static MlflowRestOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string uri = getVariable(TrackingClients.TrackingUriVariable)
            ?? throw new ArgumentException($"{TrackingClients.TrackingUriVariable} is not set; set it to the tracking server, e.g. http://127.0.0.1:5000.");
        var options = new MlflowRestOptions(uri);
        string? user = getVariable("MLFLOW_TRACKING_USERNAME");
        if (!string.IsNullOrEmpty(user))
        {
            options.Username = user;
            options.Password = getVariable("MLFLOW_TRACKING_PASSWORD") ?? string.Empty;
        }

        options.Token = NullIfEmpty(getVariable("MLFLOW_TRACKING_TOKEN"));
        options.InsecureTls = ParseBool(getVariable, "MLFLOW_TRACKING_INSECURE_TLS");
        options.ServerCertificatePath = NullIfEmpty(getVariable("MLFLOW_TRACKING_SERVER_CERT_PATH"));
        if (options.InsecureTls && options.ServerCertificatePath is not null)
        {
            throw new ArgumentException(
                "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH cannot both be set: either skip verification or verify against the certificate.");
        }

        if (options.ServerCertificatePath is not null && !File.Exists(options.ServerCertificatePath))
        {
            throw new ArgumentException($"MLFLOW_TRACKING_SERVER_CERT_PATH names '{options.ServerCertificatePath}', which does not exist.");
        }

        options.MaxRetries = ParseInt(getVariable, "MLFLOW_HTTP_REQUEST_MAX_RETRIES") ?? options.MaxRetries;
        if (ParseInt(getVariable, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR") is int factor)
        {
            options.BackoffFactor = TimeSpan.FromSeconds(factor);
        }

        if (ParseInt(getVariable, "MLFLOW_HTTP_REQUEST_TIMEOUT") is int timeout)
        {
            options.RequestTimeout = TimeSpan.FromSeconds(Math.Max(1, timeout));
        }

        return options;
    }

    /// <summary>The server URI without credentials.</summary>
    /// <returns><see cref="DisplayUri"/>.</returns>
    public override string ToString() => DisplayUri;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool ParseBool(Func<string, string?> getVariable, string name)
    {
        string? value = NullIfEmpty(getVariable(name));
        return value?.ToUpperInvariant() switch
        {
            null or "FALSE" or "0" or "NO" => false,
            "TRUE" or "1" or "YES" => true,
            _ => throw new ArgumentException($"{name} must be true or false, not '{value}'."),
        };
    }

    private static int? ParseInt(Func<string, string?> getVariable, string name)
    {
        string? value = NullIfEmpty(getVariable(name));
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new ArgumentException($"{name} must be a non-negative integer, not '{value}'.");
    }
}
