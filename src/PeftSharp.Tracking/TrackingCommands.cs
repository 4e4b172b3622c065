namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

/// <summary>
/// The <c>compare</c> and <c>sync</c> commands, for experiment entry points to expose
/// (<c>dotnet run --project experiments/X -- compare --experiment X</c>).
/// </summary>
public static class TrackingCommands
{
    /// <summary>The commands <see cref="RunAsync(string, IReadOnlyList{string}, TextWriter, TextWriter)"/> handles.</summary>
    public static readonly IReadOnlyList<string> Commands = ["compare", "sync"];

    /// <summary>The help text of <c>compare</c>.</summary>
    public const string CompareHelp = """
        compare: list an experiment's runs with their params and metrics, and plot metric curves.

          --experiment NAME      the experiment (default: MLFLOW_EXPERIMENT_NAME)
          --tracking-uri URI     a server (http[s]://...) or a store folder (default: MLFLOW_TRACKING_URI, else ./mlruns)
          --all-params           show every param (default: only params whose values differ between runs)
          --metrics a,b          the metric columns (default: all)
          --summary KIND         final (default), best (min for losses/errors, else max), min or max
          --sort METRIC[:asc|desc]  order by a metric (default direction: asc for losses/errors, else desc)
          --runs id-or-name,...  only these runs
          --format markdown|csv  the table format (default: from --output's extension, else markdown)
          --output FILE          write the table to FILE instead of the console
          --plot a,b             plot these metrics' curves (x = step, one line per run)
          --plot-output FILE     .svg for an image, .html for a self-contained page (default: curves.html)
          --help                 this text
        """;

    /// <summary>The help text of <c>sync</c>.</summary>
    public const string SyncHelp = """
        sync: push runs to an MLflow tracking server.

          sync [--from DIR] [--to URI] [--experiment NAME]...
              push the runs of a local mlruns/ store (default ./mlruns) to the server (default MLFLOW_TRACKING_URI);
              run again at will: only what the server lacks is sent.
          sync --spool [DIR] [--to URI]
              deliver runs a disconnected training left in the spool folder (default PEFTSHARP_SPOOL_DIR,
              else ~/.peftsharp/spool).

          Credentials come from MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN.
          --help                 this text
        """;

    /// <summary>Runs a command; errors go to <paramref name="error"/> as one line naming the problem.</summary>
    /// <param name="command"><c>compare</c> or <c>sync</c>.</param>
    /// <param name="args">The arguments after the command.</param>
    /// <param name="output">Receives results.</param>
    /// <param name="error">Receives errors.</param>
    /// <returns>0 on success, 1 on a failure, 2 on bad arguments.</returns>
    public static Task<int> RunAsync(string command, IReadOnlyList<string> args, TextWriter output, TextWriter error) =>
        RunAsync(command, args, output, error, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="RunAsync(string, IReadOnlyList{string}, TextWriter, TextWriter)"/>, with an environment lookup.</summary>
    /// <param name="command"><c>compare</c> or <c>sync</c>.</param>
    /// <param name="args">The arguments after the command.</param>
    /// <param name="output">Receives results.</param>
    /// <param name="error">Receives errors.</param>
    /// <param name="getVariable">Looks up environment variables.</param>
    /// <returns>0 on success, 1 on a failure, 2 on bad arguments.</returns>
    public static async Task<int> RunAsync(string command, IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(getVariable);
        Dictionary<string, List<string>> options;
        try
        {
            options = Parse(args, command == "sync" ? ["--spool"] : []);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {e.Message}\nRun '{command} --help' for the options.").ConfigureAwait(false);
            return 2;
        }

        try
        {
            switch (command)
            {
                case "compare" when options.ContainsKey("--help"):
                    await output.WriteAsync(CompareHelp).ConfigureAwait(false);
                    return 0;
                case "sync" when options.ContainsKey("--help"):
                    await output.WriteAsync(SyncHelp).ConfigureAwait(false);
                    return 0;
                case "compare":
                    return await CompareAsync(options, output, error, getVariable).ConfigureAwait(false);
                case "sync":
                    return await SyncAsync(options, output, error, getVariable).ConfigureAwait(false);
                default:
                    await error.WriteLineAsync($"error: unknown command '{command}'; the tracking commands are {string.Join(", ", Commands)}.").ConfigureAwait(false);
                    return 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or TrackingException or IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e is ArgumentException ? 2 : 1;
        }
    }

    private static async Task<int> CompareAsync(Dictionary<string, List<string>> options, TextWriter output, TextWriter error, Func<string, string?> getVariable)
    {
        Known(options, "--experiment", "--tracking-uri", "--all-params", "--metrics", "--summary", "--sort", "--runs", "--format", "--output", "--plot", "--plot-output");
        string experiment = Single(options, "--experiment") ?? getVariable("MLFLOW_EXPERIMENT_NAME")
            ?? throw new ArgumentException("compare needs --experiment NAME (or MLFLOW_EXPERIMENT_NAME).");
        var compare = new CompareOptions
        {
            AllParams = options.ContainsKey("--all-params"),
            Metrics = List(options, "--metrics"),
            Runs = List(options, "--runs"),
            Summary = Single(options, "--summary") switch
            {
                null or "final" => MetricSummary.Final,
                "best" => MetricSummary.Best,
                "min" => MetricSummary.Min,
                "max" => MetricSummary.Max,
                string other => throw new ArgumentException($"--summary must be final, best, min or max, not '{other}'."),
            },
        };
        if (Single(options, "--sort") is string sort)
        {
            string[] parts = sort.Split(':');
            compare.SortMetric = parts[0];
            compare.SortDescending = parts.Length == 1 ? null : parts[1] switch
            {
                "asc" => false,
                "desc" => true,
                _ => throw new ArgumentException($"--sort takes METRIC, METRIC:asc or METRIC:desc, not '{sort}'."),
            };
        }

        string? outputFile = Single(options, "--output");
        string format = Single(options, "--format")
            ?? (outputFile is not null && outputFile.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "markdown");
        if (format is not ("csv" or "markdown"))
        {
            throw new ArgumentException($"--format must be csv or markdown, not '{format}'.");
        }

        var client = Client(Single(options, "--tracking-uri"), getVariable);
        try
        {
            var comparison = RunComparison.Load(client, experiment, compare);
            string table = format == "csv" ? comparison.ToCsv() : comparison.ToMarkdown();
            if (outputFile is null)
            {
                await output.WriteAsync(table).ConfigureAwait(false);
            }
            else
            {
                await File.WriteAllTextAsync(outputFile, table).ConfigureAwait(false);
                await output.WriteLineAsync($"Wrote {comparison.Runs.Count} runs to {Path.GetFullPath(outputFile)}").ConfigureAwait(false);
            }

            if (List(options, "--plot") is { Count: > 0 } plot)
            {
                string plotFile = Single(options, "--plot-output") ?? "curves.html";
                var charts = MetricCurves.Load(client, comparison.Runs.Select(r => r.Info).ToList(), plot);
                string document = plotFile.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)
                    ? MetricCurves.RenderSvg(charts)
                    : MetricCurves.RenderHtml($"{experiment}: {string.Join(", ", plot)}", charts);
                await File.WriteAllTextAsync(plotFile, document).ConfigureAwait(false);
                await output.WriteLineAsync($"Wrote the curves of {string.Join(", ", plot)} to {Path.GetFullPath(plotFile)}").ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    private static async Task<int> SyncAsync(Dictionary<string, List<string>> options, TextWriter output, TextWriter error, Func<string, string?> getVariable)
    {
        Known(options, "--from", "--to", "--experiment", "--spool");
        string? to = Single(options, "--to");
        Func<string, string?> env = to is null ? getVariable : name => name == TrackingClients.TrackingUriVariable ? to : getVariable(name);
        if (!TrackingClients.IsServerUri(env(TrackingClients.TrackingUriVariable)))
        {
            throw new ArgumentException("sync needs a server: --to http(s)://... or MLFLOW_TRACKING_URI.");
        }

        var server = new MlflowRestClient(MlflowRestOptions.FromEnvironment(env));
        if (options.TryGetValue("--spool", out var spool))
        {
            string directory = spool.Count != 0 && spool[0].Length != 0 ? Path.GetFullPath(spool[0]) : SpoolOptions.DefaultDirectory(getVariable);
            var (delivered, left) = await SpoolingTrackingClient.DeliverPendingAsync(server, directory, output).ConfigureAwait(false);
            await output.WriteLineAsync($"{delivered} spooled runs delivered, {left} left.").ConfigureAwait(false);
            return left == 0 ? 0 : 1;
        }

        string from = Single(options, "--from") ?? "mlruns";
        if (!Directory.Exists(from))
        {
            throw new ArgumentException($"--from names '{Path.GetFullPath(from)}', which does not exist.");
        }

        var store = new MlflowFileStore(from);
        var (runs, points) = await StoreSync.PushAsync(store, server, options.GetValueOrDefault("--experiment"), output).ConfigureAwait(false);
        await output.WriteLineAsync($"{runs} runs synchronised to {server.Options.DisplayUri}, {points} metric points sent.").ConfigureAwait(false);
        _ = error;
        return 0;
    }

    private static ITrackingClient Client(string? uri, Func<string, string?> getVariable)
    {
        uri ??= getVariable(TrackingClients.TrackingUriVariable);
        if (TrackingClients.IsServerUri(uri))
        {
            return new MlflowRestClient(MlflowRestOptions.FromEnvironment(name => name == TrackingClients.TrackingUriVariable ? uri : getVariable(name)));
        }

        string root = TrackingClients.ResolveFileStoreRoot(uri);
        return Directory.Exists(root)
            ? new MlflowFileStore(root)
            : throw new ArgumentException($"There is no tracking store at '{root}'; pass --tracking-uri, or run from the folder that holds mlruns/.");
    }

    private static Dictionary<string, List<string>> Parse(IReadOnlyList<string> args, IReadOnlyList<string> optionalValue)
    {
        string[] flags = ["--help", "-h", "--all-params"];
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) && name != "-h")
            {
                throw new ArgumentException($"unexpected argument '{name}'.");
            }

            if (name == "-h")
            {
                name = "--help";
            }

            if (!options.TryGetValue(name, out var values))
            {
                options[name] = values = [];
            }

            if (flags.Contains(name))
            {
                continue;
            }

            bool hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            if (hasValue)
            {
                values.Add(args[++i]);
            }
            else if (!optionalValue.Contains(name))
            {
                throw new ArgumentException($"{name} needs a value.");
            }
        }

        return options;
    }

    private static void Known(Dictionary<string, List<string>> options, params string[] known)
    {
        foreach (string name in options.Keys)
        {
            if (name != "--help" && !known.Contains(name))
            {
                throw new ArgumentException($"unknown option '{name}'.");
            }
        }
    }

    private static string? Single(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) && values.Count != 0 ? values[^1] : null;

    private static List<string>? List(Dictionary<string, List<string>> options, string name) =>
        Single(options, name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
