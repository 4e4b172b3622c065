namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

/// <summary>
/// An experiment's runs side by side: their params (by default only those that differ) and a summary of each metric,
/// from either backend; written as CSV or Markdown.
/// </summary>
public sealed class RunComparison
{
    private static readonly string[] FixedColumns = ["run_id", "run_name", "status"];

    private RunComparison(string experimentName, IReadOnlyList<ComparedRun> runs, IReadOnlyList<string> paramKeys, IReadOnlyList<string> metricKeys, MetricSummary summary)
    {
        ExperimentName = experimentName;
        Runs = runs;
        ParamKeys = paramKeys;
        MetricKeys = metricKeys;
        Summary = summary;
    }

    /// <summary>The experiment compared.</summary>
    public string ExperimentName { get; }

    /// <summary>The runs, in the requested order.</summary>
    public IReadOnlyList<ComparedRun> Runs { get; }

    /// <summary>The param columns.</summary>
    public IReadOnlyList<string> ParamKeys { get; }

    /// <summary>The metric columns.</summary>
    public IReadOnlyList<string> MetricKeys { get; }

    /// <summary>What the metric columns show.</summary>
    public MetricSummary Summary { get; }

    /// <summary>Whether smaller is better for a metric key (loss, error, perplexity, mse, mae, rmse in its name).</summary>
    /// <param name="key">The metric key.</param>
    /// <returns>True for losses and errors.</returns>
    public static bool LowerIsBetter(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string k = key.ToUpperInvariant();
        return k.Contains("LOSS", StringComparison.Ordinal) || k.Contains("ERROR", StringComparison.Ordinal) || k.Contains("PERPLEXITY", StringComparison.Ordinal)
            || k.Contains("MSE", StringComparison.Ordinal) || k.Contains("MAE", StringComparison.Ordinal);
    }

    /// <summary>Reads the experiment's runs from <paramref name="client"/> and builds the comparison.</summary>
    /// <param name="client">Either backend.</param>
    /// <param name="experimentName">The experiment.</param>
    /// <param name="options">Columns, summary, order; null for the defaults.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentException">The experiment does not exist, or a requested run is not in it.</exception>
    public static RunComparison Load(ITrackingClient client, string experimentName, CompareOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(experimentName);
        options ??= new CompareOptions();
        string experimentId = client.FindExperimentId(experimentName)
            ?? throw new ArgumentException($"There is no active experiment named '{experimentName}'.", nameof(experimentName));
        var infos = client.ListRuns(experimentId);
        if (options.Runs is { Count: > 0 } wanted)
        {
            foreach (string w in wanted)
            {
                if (!infos.Any(r => r.RunId == w || r.RunName == w))
                {
                    throw new ArgumentException($"Run '{w}' is not an active run of experiment '{experimentName}'.", nameof(options));
                }
            }

            infos = infos.Where(r => wanted.Contains(r.RunId) || wanted.Contains(r.RunName)).ToList();
        }

        var runs = new List<ComparedRun>();
        foreach (var info in infos)
        {
            var record = client.GetRun(info.RunId);
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (key, latest) in record.LatestMetrics)
            {
                if (options.Metrics is { Count: > 0 } shown && !shown.Contains(key))
                {
                    continue;
                }

                metrics[key] = options.Summary == MetricSummary.Final ? latest.Value : Summarise(client.GetMetricHistory(info.RunId, key), key, options.Summary);
            }

            runs.Add(new ComparedRun(record.Info, record.Params, metrics));
        }

        var paramKeys = runs.SelectMany(r => r.Params.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(k => options.AllParams || runs.Select(r => r.Params.GetValueOrDefault(k)).Distinct().Count() > 1)
            .ToList();
        var metricKeys = options.Metrics is { Count: > 0 } m
            ? m.Where(k => runs.Any(r => r.Metrics.ContainsKey(k))).ToList()
            : runs.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

        if (options.SortMetric is string sort)
        {
            bool descending = options.SortDescending ?? !LowerIsBetter(sort);
            var with = runs.Where(r => r.Metrics.TryGetValue(sort, out double v) && !double.IsNaN(v)).ToList();
            var without = runs.Except(with).ToList();
            with = descending
                ? with.OrderByDescending(r => r.Metrics[sort]).ThenBy(r => r.Info.RunId, StringComparer.Ordinal).ToList()
                : with.OrderBy(r => r.Metrics[sort]).ThenBy(r => r.Info.RunId, StringComparer.Ordinal).ToList();

            // Runs without the metric go last, whatever the direction.
            runs = [.. with, .. without];
        }

        return new RunComparison(experimentName, runs, paramKeys, metricKeys, options.Summary);
    }

    /// <summary>The table as CSV (RFC 4180): run_id, run_name, status, params.*, metrics.*; numbers in round-trip form.</summary>
    /// <returns>The CSV text, lines ending in <c>\n</c>.</returns>
    public string ToCsv()
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Header().Select(Csv)).Append('\n');
        foreach (var row in Rows())
        {
            text.AppendJoin(',', row.Select(Csv)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The table as a GitHub-flavoured Markdown table, with a heading naming the experiment and the summary.</summary>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {ExperimentName}: {Runs.Count} runs ({Summary.ToString().ToLowerInvariant()} metrics)\n\n");
        var header = Header().ToList();
        text.Append("| ").AppendJoin(" | ", header.Select(Md)).Append(" |\n");
        text.Append('|').AppendJoin('|', header.Select(_ => "---")).Append("|\n");
        foreach (var row in Rows())
        {
            text.Append("| ").AppendJoin(" | ", row.Select(Md)).Append(" |\n");
        }

        return text.ToString();
    }

    /// <summary>Formats a metric value for a table: shortest round-trip digits, <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatValue(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private IEnumerable<string> Header() =>
        FixedColumns.Concat(ParamKeys.Select(k => "params." + k)).Concat(MetricKeys.Select(k => "metrics." + k));

    private IEnumerable<List<string>> Rows() =>
        Runs.Select(r => new List<string> { r.Info.RunId, r.Info.RunName, r.Info.Status.ToRestName() }
            .Concat(ParamKeys.Select(k => r.Params.GetValueOrDefault(k) ?? string.Empty))
            .Concat(MetricKeys.Select(k => r.Metrics.TryGetValue(k, out double v) ? FormatValue(v) : string.Empty))
            .ToList());

    private static double Summarise(IReadOnlyList<Metric> history, string key, MetricSummary summary)
    {
        var values = history.Select(p => p.Value).Where(v => !double.IsNaN(v)).ToList();
        if (values.Count == 0)
        {
            return double.NaN;
        }

        bool min = summary == MetricSummary.Min || (summary == MetricSummary.Best && LowerIsBetter(key));
        return min ? values.Min() : values.Max();
    }

    private static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string Md(string field) =>
        field.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
