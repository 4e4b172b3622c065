namespace PeftSharp.Tracking;

using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// The HTTP side of the REST client: one pooled <see cref="HttpClient"/> per TLS configuration for the whole process,
/// JSON requests, MLflow's error bodies, and retries with exponential backoff, jitter and <c>Retry-After</c>.
/// </summary>
internal sealed class MlflowHttp
{
    // One client (and so one connection pool) per TLS setting, shared by every MlflowRestClient of the process:
    // per-request clients exhaust sockets and reconnect for every metric, the complaint users have about other clients.
    private static readonly ConcurrentDictionary<(bool Insecure, string? CertPath), HttpClient> Clients = new();

    private readonly MlflowRestOptions _options;
    private readonly HttpClient _client;
    private readonly AuthenticationHeaderValue? _authorization;

    public MlflowHttp(MlflowRestOptions options)
    {
        _options = options;
        _authorization = options.Authorization;
        _client = Clients.GetOrAdd((options.InsecureTls, options.ServerCertificatePath), key => CreateClient(key.Insecure, key.CertPath));
    }

    public MlflowRestOptions Options => _options;

    /// <summary>Sends a JSON POST to <c>api/2.0/mlflow/&lt;endpoint&gt;</c>.</summary>
    /// <param name="endpoint">E.g. <c>runs/create</c>.</param>
    /// <param name="body">The UTF-8 JSON body.</param>
    /// <param name="blindRetry">
    /// Whether a failure with an unknown outcome may simply be sent again (idempotent requests). When false only
    /// failures where the server certainly did not apply the request are retried.
    /// </param>
    /// <param name="maxRetries">Overrides <see cref="MlflowRestOptions.MaxRetries"/>.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    public Task<JsonDocument> PostAsync(string endpoint, byte[] body, bool blindRetry, int? maxRetries, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, ApiUri("api/2.0/mlflow/" + endpoint, null))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            },
            "POST " + endpoint,
            blindRetry,
            maxRetries,
            cancellationToken);

    /// <summary>Sends a GET with query-string parameters to <c>api/2.0/mlflow/&lt;endpoint&gt;</c>.</summary>
    public Task<JsonDocument> GetAsync(string endpoint, string query, int? maxRetries, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, ApiUri("api/2.0/mlflow/" + endpoint, query)),
            "GET " + endpoint,
            blindRetry: true,
            maxRetries,
            cancellationToken);

    /// <summary>Uploads a file through the artifact proxy (<c>PUT api/2.0/mlflow-artifacts/artifacts/&lt;path&gt;</c>).</summary>
    public async Task PutArtifactAsync(string artifactPath, string localFile, CancellationToken cancellationToken)
    {
        string escaped = string.Join('/', artifactPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
        using var unused = await SendAsync(
            () =>
            {
                var stream = File.OpenRead(localFile);
                var content = new StreamContent(stream);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return new HttpRequestMessage(HttpMethod.Put, ApiUri("api/2.0/mlflow-artifacts/artifacts/" + escaped, null)) { Content = content };
            },
            "PUT artifact " + artifactPath,
            blindRetry: true,
            null,
            cancellationToken).ConfigureAwait(false);
    }

    private Uri ApiUri(string path, string? query)
    {
        // The tracking URI may carry a path prefix (a server behind a reverse proxy): keep it.
        string basePath = _options.BaseUri.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(_options.BaseUri) { Path = basePath + "/" + path, Query = query ?? string.Empty };
        return builder.Uri;
    }

    private async Task<JsonDocument> SendAsync(
        Func<HttpRequestMessage> createRequest, string what, bool blindRetry, int? maxRetries, CancellationToken cancellationToken)
    {
        int retries = Math.Max(0, maxRetries ?? _options.MaxRetries);
        for (int attempt = 0; ; attempt++)
        {
            TrackingException failure;
            TimeSpan? retryAfter = null;
            bool certainlyNotApplied;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.RequestTimeout);
                using var request = createRequest();
                request.Headers.Authorization = _authorization;
                request.Headers.UserAgent.ParseAdd("PeftSharp.Tracking/1.0");
                try
                {
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                    string text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        return ParseBody(text, what);
                    }

                    int status = (int)response.StatusCode;
                    retryAfter = RetryAfter(response.Headers.RetryAfter);

                    // 408, 429 and 503 are answered before the request is processed; 500, 502 and 504 may come after.
                    certainlyNotApplied = status is 408 or 429 or 503 or (>= 400 and < 500);
                    failure = ErrorFromResponse(status, text, what);
                }
                catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
                {
                    certainlyNotApplied = true;
                    failure = Network(what, "the server could not be reached (" + e.HttpRequestError + ")", e, outcomeUnknown: false);
                }
                catch (HttpRequestException e)
                {
                    certainlyNotApplied = false;
                    failure = Network(what, "the connection failed after the request was sent (" + e.HttpRequestError + ")", e, outcomeUnknown: true);
                }
                catch (IOException e)
                {
                    certainlyNotApplied = false;
                    failure = Network(what, "the connection failed", e, outcomeUnknown: true);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    certainlyNotApplied = false;
                    failure = Network(
                        what,
                        string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s"),
                        e,
                        outcomeUnknown: true);
                }
            }

            bool mayRetry = failure.IsTransient && attempt < retries && (blindRetry || certainlyNotApplied);
            if (!mayRetry)
            {
                throw failure;
            }

            await Task.Delay(Backoff(attempt + 1, retryAfter), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int retry, TimeSpan? retryAfter)
    {
        if (retryAfter is TimeSpan asked)
        {
            // The server says when to come back: no sooner, but never longer than the cap.
            return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > _options.MaxBackoff ? _options.MaxBackoff : asked;
        }

        double factor = _options.BackoffFactor.TotalMilliseconds * Math.Pow(2, retry - 1);
        double jitter = _options.BackoffJitter.TotalMilliseconds * Random.Shared.NextDouble();
        return TimeSpan.FromMilliseconds(Math.Min(factor + jitter, _options.MaxBackoff.TotalMilliseconds));
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is TimeSpan delta)
        {
            return delta;
        }

        return header?.Date is DateTimeOffset date ? date - _options.TimeProvider.GetUtcNow() : null;
    }

    private static JsonDocument ParseBody(string text, string what)
    {
        if (text.Trim().Length == 0)
        {
            return JsonDocument.Parse("{}");
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new TrackingException($"The MLflow server answered {what} with a body that is not JSON: {Excerpt(text)}", e);
        }
    }

    private TrackingException ErrorFromResponse(int status, string text, string what)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = document.RootElement.TryGetProperty("error_code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                message = document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Proxies and disabled artifact serving answer with HTML or plain text: report an excerpt.
        }

        code ??= status switch
        {
            400 => TrackingErrorCodes.BadRequest,
            404 => TrackingErrorCodes.ResourceDoesNotExist,
            429 => TrackingErrorCodes.RequestLimitExceeded,
            503 => TrackingErrorCodes.TemporarilyUnavailable,
            _ => TrackingErrorCodes.InternalError,
        };
        message ??= Excerpt(text);
        bool transient = status is 408 or 429 or 500 or 502 or 503 or 504;
        return new TrackingException(
            code,
            string.Create(CultureInfo.InvariantCulture, $"MLflow server {_options.DisplayUri} answered {what} with HTTP {status} {code}: {message}"))
        {
            HttpStatusCode = status,
            IsTransient = transient,
            OutcomeUnknown = status is 500 or 502 or 504,
        };
    }

    private TrackingException Network(string what, string reason, Exception inner, bool outcomeUnknown)
    {
        // The inner exception's message can contain the request URI; ours never carries user information, but the
        // exception chain is dropped anyway so nothing a handler printed could leak.
        _ = inner;
        return new TrackingException(
            TrackingErrorCodes.TemporarilyUnavailable, $"MLflow server {_options.DisplayUri}: {what} failed: {reason}.")
        {
            IsTransient = true,
            OutcomeUnknown = outcomeUnknown,
        };
    }

    private static string Excerpt(string text)
    {
        string flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length == 0 ? "(empty body)" : flat.Length <= 300 ? flat : flat[..300] + "...";
    }

    private static HttpClient CreateClient(bool insecure, string? certPath)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            MaxConnectionsPerServer = 8,
        };
        if (insecure)
        {
#pragma warning disable CA5359 // The user asked for it with MLFLOW_TRACKING_INSECURE_TLS, as in MLflow.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (certPath is not null)
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(certPath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
