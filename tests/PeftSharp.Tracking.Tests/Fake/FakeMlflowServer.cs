namespace PeftSharp.Tracking.Tests.Fake;

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

/// <summary>
/// An in-process MLflow tracking server on loopback that enforces the documented rules: JSON content type on POST,
/// query-string GETs, error bodies with MLflow's codes and statuses, log-batch limits, key rules, write-once params,
/// paging, and the artifact proxy PUT. Faults can be injected; the server can be stopped and started again on the
/// same port with the same state (a server that disappears and comes back).
/// </summary>
public sealed partial class FakeMlflowServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private WebApplication? _app;

    public FakeMlflowServer(string prefix = "")
    {
        Prefix = prefix.TrimEnd('/');
        Experiments["0"] = new FakeExperiment("0", "Default");
    }

    public string Prefix { get; }

    public int Port { get; private set; }

    public string Uri => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{Prefix}");

    public Dictionary<string, FakeExperiment> Experiments { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FakeRun> Runs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Artifacts { get; } = new(StringComparer.Ordinal);

    /// <summary>Faults served before normal handling, first match first; each is used once.</summary>
    public ConcurrentQueue<FakeFault> Faults { get; } = new();

    /// <summary>Every request: method, path (after the prefix), content type, query.</summary>
    public ConcurrentQueue<(string Method, string Path, string? ContentType, string Query)> Requests { get; } = new();

    /// <summary>When set, requests must carry exactly this Authorization header (else 401).</summary>
    public string? RequiredAuthorization { get; set; }

    /// <summary>Page size the server uses for get-history when the client asks for more (to exercise paging).</summary>
    public int HistoryPageLimit { get; set; } = 25000;

    public int SearchPageLimit { get; set; } = 1000;

    public int LogBatchRequests => Requests.Count(r => r.Path.EndsWith("runs/log-batch", StringComparison.Ordinal));

    public async Task StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port == 0 ? FreePort() : port));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        _app = app;
        Port = new System.Uri(app.Urls.First()).Port;
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    public async Task RestartAsync() => await StartAsync(Port).ConfigureAwait(false);

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    public FakeRun Run(string runId)
    {
        lock (_gate)
        {
            return Runs[runId];
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string path = request.Path.Value ?? string.Empty;
        if (Prefix.Length != 0)
        {
            if (!path.StartsWith(Prefix + "/", StringComparison.Ordinal))
            {
                await Error(context, 404, "ENDPOINT_NOT_FOUND", "No such endpoint (missing path prefix).").ConfigureAwait(false);
                return;
            }

            path = path[Prefix.Length..];
        }

        Requests.Enqueue((request.Method, path, request.ContentType, request.QueryString.Value ?? string.Empty));
        if (RequiredAuthorization is not null && request.Headers.Authorization.ToString() != RequiredAuthorization)
        {
            await Error(context, 401, "UNAUTHENTICATED", "Credentials are required.").ConfigureAwait(false);
            return;
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
            body = buffer.ToArray();
        }

        FakeFault? fault = null;
        foreach (var candidate in Faults)
        {
            if (path.EndsWith(candidate.Endpoint, StringComparison.Ordinal))
            {
                fault = candidate;
                break;
            }
        }

        if (fault is not null)
        {
            // Take this fault out (faults for other endpoints stay in order).
            var rest = Faults.ToList();
            rest.Remove(fault);
            Faults.Clear();
            foreach (var f in rest)
            {
                Faults.Enqueue(f);
            }

            fault.Before?.Invoke();
            if (!fault.ApplyThenDrop)
            {
                if (fault.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = fault.RetryAfter;
                }

                if (fault.NotJson)
                {
                    context.Response.StatusCode = fault.Status;
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync("<html><body>Bad gateway</body></html>").ConfigureAwait(false);
                    return;
                }

                await Error(context, fault.Status, fault.Code ?? fault.Status switch { 429 => "REQUEST_LIMIT_EXCEEDED", 503 => "TEMPORARILY_UNAVAILABLE", _ => "INTERNAL_ERROR" }, "Injected fault.").ConfigureAwait(false);
                return;
            }
        }

        (int Status, object Body) result;
        try
        {
            result = Route(request.Method, path, request.ContentType, request.Query, body);
        }
        catch (FakeErrorException e)
        {
            await Error(context, e.Status, e.Code, e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            await Error(context, 400, "BAD_REQUEST", "Malformed request: " + e.Message).ConfigureAwait(false);
            return;
        }

        if (fault is { ApplyThenDrop: true })
        {
            // The server applied the request, and the answer never reaches the client.
            context.Abort();
            return;
        }

        context.Response.StatusCode = result.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(result.Body)).ConfigureAwait(false);
    }

    private static async Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error_code"] = code, ["message"] = message })).ConfigureAwait(false);
    }

    private (int, object) Route(string method, string path, string? contentType, IQueryCollection query, byte[] body)
    {
        const string api = "/api/2.0/mlflow/";
        const string artifacts = "/api/2.0/mlflow-artifacts/artifacts/";
        if (path.StartsWith(artifacts, StringComparison.Ordinal))
        {
            if (method != "PUT")
            {
                throw new FakeErrorException(405, "BAD_REQUEST", "Artifacts are uploaded with PUT.");
            }

            lock (_gate)
            {
                Artifacts[System.Uri.UnescapeDataString(path[artifacts.Length..])] = body;
            }

            return (200, new Dictionary<string, object>());
        }

        if (!path.StartsWith(api, StringComparison.Ordinal))
        {
            throw new FakeErrorException(404, "ENDPOINT_NOT_FOUND", "No such endpoint.");
        }

        string endpoint = path[api.Length..];
        bool isGet = endpoint is "experiments/get-by-name" or "experiments/get" or "runs/get" or "metrics/get-history";
        if (isGet)
        {
            if (method != "GET")
            {
                throw new FakeErrorException(405, "BAD_REQUEST", endpoint + " is a GET endpoint.");
            }

            if (body.Length != 0)
            {
                throw new FakeErrorException(400, "BAD_REQUEST", "GET parameters go in the query string.");
            }
        }
        else
        {
            if (method != "POST")
            {
                throw new FakeErrorException(405, "BAD_REQUEST", endpoint + " is a POST endpoint.");
            }

            if (contentType is null || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                throw new FakeErrorException(400, "BAD_REQUEST", "Content-Type must be application/json.");
            }

            if (body.Length > 1_048_576)
            {
                throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", "Request body larger than 1 MB.");
            }
        }

        using var document = body.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(body);
        var json = document.RootElement;
        lock (_gate)
        {
            return endpoint switch
            {
                "experiments/get-by-name" => GetExperimentByName(Required(query, "experiment_name")),
                "experiments/create" => CreateExperiment(json),
                "runs/create" => CreateRun(json),
                "runs/update" => UpdateRun(json),
                "runs/get" => (200, new Dictionary<string, object> { ["run"] = RunJson(FindRun(Required(query, "run_id"))) }),
                "runs/log-batch" => LogBatch(json),
                "runs/log-inputs" => LogInputs(json),
                "runs/search" => Search(json),
                "metrics/get-history" => History(query),
                _ => throw new FakeErrorException(404, "ENDPOINT_NOT_FOUND", "No such endpoint: " + endpoint),
            };
        }
    }

    private static string Required(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var value) && value.Count == 1 && !string.IsNullOrEmpty(value[0])
            ? value[0]!
            : throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"Missing value for required parameter '{name}'.");

    private static string RequiredString(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length != 0
            ? value.GetString()!
            : throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"Missing value for required parameter '{name}'.");

    private (int, object) GetExperimentByName(string name)
    {
        var experiment = Experiments.Values.FirstOrDefault(e => e.Name == name)
            ?? throw new FakeErrorException(404, "RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{name}'");
        return (200, new Dictionary<string, object>
        {
            ["experiment"] = new Dictionary<string, object>
            {
                ["experiment_id"] = experiment.Id,
                ["name"] = experiment.Name,
                ["lifecycle_stage"] = experiment.LifecycleStage,
                ["artifact_location"] = "mlflow-artifacts:/" + experiment.Id,
            },
        });
    }

    private (int, object) CreateExperiment(JsonElement json)
    {
        string name = RequiredString(json, "name");
        if (Experiments.Values.Any(e => e.Name == name))
        {
            throw new FakeErrorException(400, "RESOURCE_ALREADY_EXISTS", $"Experiment '{name}' already exists.");
        }

        string id = (Experiments.Count + 100).ToString(CultureInfo.InvariantCulture);
        Experiments[id] = new FakeExperiment(id, name);
        return (200, new Dictionary<string, object> { ["experiment_id"] = id });
    }

    private (int, object) CreateRun(JsonElement json)
    {
        string experimentId = RequiredString(json, "experiment_id");
        if (!Experiments.TryGetValue(experimentId, out var experiment))
        {
            throw new FakeErrorException(404, "RESOURCE_DOES_NOT_EXIST", $"No experiment with id {experimentId}.");
        }

        if (experiment.LifecycleStage != "active")
        {
            throw new FakeErrorException(400, "INVALID_STATE", "The experiment is deleted.");
        }

        var tags = ReadPairs(json, "tags", 8000, "tag");
        string runId = Guid.NewGuid().ToString("N");
        string name = json.TryGetProperty("run_name", out var n) ? n.GetString()! : tags.GetValueOrDefault("mlflow.runName") ?? "fake-" + runId[..6];
        var run = new FakeRun(runId, experimentId, name, json.GetProperty("start_time").GetInt64());
        foreach (var (key, value) in tags)
        {
            run.Tags[key] = value;
        }

        run.Tags["mlflow.runName"] = name;
        Runs[runId] = run;
        return (200, new Dictionary<string, object> { ["run"] = RunJson(run) });
    }

    private (int, object) UpdateRun(JsonElement json)
    {
        var run = FindRun(RequiredString(json, "run_id"));
        string status = RequiredString(json, "status");
        if (status is not ("RUNNING" or "SCHEDULED" or "FINISHED" or "FAILED" or "KILLED"))
        {
            throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"Invalid status '{status}'.");
        }

        run.Status = status;
        if (json.TryGetProperty("end_time", out var end))
        {
            run.EndTime = end.GetInt64();
        }

        return (200, new Dictionary<string, object> { ["run_info"] = RunInfoJson(run) });
    }

    private (int, object) LogBatch(JsonElement json)
    {
        var run = FindRun(RequiredString(json, "run_id"));
        if (run.LifecycleStage != "active")
        {
            throw new FakeErrorException(400, "INVALID_STATE", $"The run {run.Id} must be in the 'active' state.");
        }

        var metrics = json.TryGetProperty("metrics", out var m) ? m.EnumerateArray().ToList() : [];
        var parameters = json.TryGetProperty("params", out var p) ? p.EnumerateArray().ToList() : [];
        var tags = json.TryGetProperty("tags", out var t) ? t.EnumerateArray().ToList() : [];
        if (metrics.Count > 1000 || parameters.Count > 100 || tags.Count > 100 || metrics.Count + parameters.Count + tags.Count > 1000)
        {
            throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", string.Create(
                CultureInfo.InvariantCulture,
                $"A batch logging request can contain at most 1000 metrics, 100 params, 100 tags and 1000 entities in total; got {metrics.Count} metrics, {parameters.Count} params, {tags.Count} tags."));
        }

        var newParams = ReadPairs(json, "params", 6000, "param");
        if (parameters.Select(x => x.GetProperty("key").GetString()).Distinct().Count() != parameters.Count)
        {
            throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", "Duplicate parameter keys have been submitted.");
        }

        var newTags = ReadPairs(json, "tags", 8000, "tag");
        var points = new List<Metric>();
        foreach (var metric in metrics)
        {
            string key = metric.GetProperty("key").GetString()!;
            ValidateKey(key, "metric");
            if (!metric.TryGetProperty("timestamp", out var ts) || ts.ValueKind != JsonValueKind.Number)
            {
                throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"Missing value for required parameter 'metrics[].timestamp' of '{key}'.");
            }

            var value = metric.GetProperty("value");
            double v = value.ValueKind == JsonValueKind.Number
                ? value.GetDouble()
                : value.GetString() switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"Got invalid value for metric '{key}'."),
                };
            long step = metric.TryGetProperty("step", out var s) ? s.GetInt64() : 0;
            points.Add(new Metric(key, v, ts.GetInt64(), step));
        }

        foreach (var (key, value) in newParams)
        {
            if (run.Params.TryGetValue(key, out string? existing) && existing != value)
            {
                throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE",
                    $"Changing param values is not allowed. Param with key='{key}' was already logged with value='{existing}' for run ID='{run.Id}'. Attempted logging new value '{value}'.");
            }
        }

        // A SQL-backed server applies a batch in one transaction: all or nothing.
        foreach (var (key, value) in newParams)
        {
            run.Params[key] = value;
        }

        foreach (var (key, value) in newTags)
        {
            run.Tags[key] = value;
        }

        run.Metrics.AddRange(points);
        return (200, new Dictionary<string, object>());
    }

    private (int, object) LogInputs(JsonElement json)
    {
        var run = FindRun(RequiredString(json, "run_id"));
        foreach (var item in json.GetProperty("datasets").EnumerateArray())
        {
            var dataset = item.GetProperty("dataset");
            string name = dataset.GetProperty("name").GetString()!;
            string digest = dataset.GetProperty("digest").GetString()!;
            if (name.Length > 500 || digest.Length > 36)
            {
                throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", "Dataset name or digest too long.");
            }

            if (!run.Inputs.Any(i => i.Name == name && i.Digest == digest))
            {
                var tags = ReadPairs(item, "tags", 8000, "tag");
                run.Inputs.Add(new DatasetInput(
                    name,
                    digest,
                    dataset.GetProperty("source_type").GetString()!,
                    dataset.GetProperty("source").GetString()!,
                    dataset.TryGetProperty("schema", out var schema) ? schema.GetString() : null,
                    dataset.TryGetProperty("profile", out var profile) ? profile.GetString() : null,
                    tags.GetValueOrDefault("mlflow.data.context") ?? string.Empty));
            }
        }

        return (200, new Dictionary<string, object>());
    }

    private (int, object) Search(JsonElement json)
    {
        var ids = json.GetProperty("experiment_ids").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        int max = json.TryGetProperty("max_results", out var mr) ? mr.GetInt32() : 1000;
        if (max > 50000)
        {
            throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", "max_results must be at most 50000.");
        }

        max = Math.Min(max, SearchPageLimit);
        IEnumerable<FakeRun> runs = Runs.Values.Where(r => ids.Contains(r.ExperimentId) && r.LifecycleStage == "active");
        if (json.TryGetProperty("filter", out var filter) && filter.GetString() is { Length: > 0 } text)
        {
            var match = TagFilter().Match(text);
            if (!match.Success)
            {
                throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"The fake server only understands tags.<key> = '<value>' filters, not '{text}'.");
            }

            string key = match.Groups[1].Value.Trim('`');
            string value = match.Groups[2].Value;
            runs = runs.Where(r => r.Tags.GetValueOrDefault(key) == value);
        }

        var ordered = runs.OrderByDescending(r => r.StartTime).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        int offset = json.TryGetProperty("page_token", out var token) ? int.Parse(token.GetString()!, CultureInfo.InvariantCulture) : 0;
        var page = ordered.Skip(offset).Take(max).ToList();
        var result = new Dictionary<string, object> { ["runs"] = page.Select(RunJson).ToList() };
        if (offset + max < ordered.Count)
        {
            result["next_page_token"] = (offset + max).ToString(CultureInfo.InvariantCulture);
        }

        return (200, result);
    }

    private (int, object) History(IQueryCollection query)
    {
        var run = FindRun(Required(query, "run_id"));
        string key = Required(query, "metric_key");
        int max = query.TryGetValue("max_results", out var m) ? int.Parse(m[0]!, CultureInfo.InvariantCulture) : 25000;
        max = Math.Min(max, HistoryPageLimit);
        int offset = query.TryGetValue("page_token", out var t) ? int.Parse(t[0]!, CultureInfo.InvariantCulture) : 0;
        var all = run.Metrics.Where(x => x.Key == key).ToList();
        var result = new Dictionary<string, object> { ["metrics"] = all.Skip(offset).Take(max).Select(MetricJson).ToList() };
        if (offset + max < all.Count)
        {
            result["next_page_token"] = (offset + max).ToString(CultureInfo.InvariantCulture);
        }

        return (200, result);
    }

    private FakeRun FindRun(string runId) =>
        Runs.TryGetValue(runId, out var run) ? run : throw new FakeErrorException(404, "RESOURCE_DOES_NOT_EXIST", $"Run '{runId}' not found");

    private static Dictionary<string, string> ReadPairs(JsonElement json, string name, int maxValue, string kind)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!json.TryGetProperty(name, out var array))
        {
            return pairs;
        }

        foreach (var item in array.EnumerateArray())
        {
            string key = item.GetProperty("key").GetString()!;
            string value = item.GetProperty("value").GetString()!;
            ValidateKey(key, kind);
            if (value.Length > maxValue)
            {
                throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"{kind} '{key}' had length {value.Length}, which exceeded length limit of {maxValue}");
            }

            pairs[key] = value;
        }

        return pairs;
    }

    private static void ValidateKey(string key, string kind)
    {
        if (key.Length is 0 or > 250 || !KeyPattern().IsMatch(key) || key.StartsWith('/') || key.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new FakeErrorException(400, "INVALID_PARAMETER_VALUE", $"Invalid {kind} name: '{key}'.");
        }
    }

    private static Dictionary<string, object?> RunInfoJson(FakeRun run) => new()
    {
        ["run_id"] = run.Id,
        ["run_uuid"] = run.Id,
        ["run_name"] = run.Name,
        ["experiment_id"] = run.ExperimentId,
        ["status"] = run.Status,
        ["start_time"] = run.StartTime,
        ["end_time"] = run.EndTime,
        ["artifact_uri"] = $"mlflow-artifacts:/{run.ExperimentId}/{run.Id}/artifacts",
        ["lifecycle_stage"] = run.LifecycleStage,
    };

    private static Dictionary<string, object> RunJson(FakeRun run)
    {
        var latest = run.Metrics.GroupBy(m => m.Key).Select(g => g.OrderBy(x => x.Step).ThenBy(x => x.TimestampMs).Last()).Select(MetricJson).ToList();
        return new Dictionary<string, object>
        {
            ["info"] = RunInfoJson(run),
            ["data"] = new Dictionary<string, object>
            {
                ["metrics"] = latest,
                ["params"] = run.Params.Select(p => new Dictionary<string, string> { ["key"] = p.Key, ["value"] = p.Value }).ToList(),
                ["tags"] = run.Tags.Select(p => new Dictionary<string, string> { ["key"] = p.Key, ["value"] = p.Value }).ToList(),
            },
        };
    }

    private static Dictionary<string, object> MetricJson(Metric m) => new()
    {
        ["key"] = m.Key,
        ["value"] = double.IsNaN(m.Value) ? "NaN" : double.IsPositiveInfinity(m.Value) ? "Infinity" : double.IsNegativeInfinity(m.Value) ? "-Infinity" : m.Value,
        ["timestamp"] = m.TimestampMs,
        ["step"] = m.Step,
    };

    [GeneratedRegex(@"^[A-Za-z0-9_\-. /:]+$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^\s*tags\.(`[^`]+`|[A-Za-z0-9_.]+)\s*=\s*'([^']*)'\s*$")]
    private static partial Regex TagFilter();
}
