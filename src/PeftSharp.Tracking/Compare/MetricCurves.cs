namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

/// <summary>
/// Renders metric histories as line charts: one chart per metric, one line per run, x = step. SVG for images;
/// a self-contained HTML page (inline SVG and CSS, no scripts, nothing fetched) for browsers.
/// </summary>
public static class MetricCurves
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Reads the histories of <paramref name="metricKeys"/> for <paramref name="runs"/> from a client.</summary>
    /// <param name="client">Either backend.</param>
    /// <param name="runs">The runs (their names label the lines).</param>
    /// <param name="metricKeys">The metrics to plot.</param>
    /// <returns>Per metric key, per run label, the points.</returns>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Run, IReadOnlyList<Metric> Points)>> Load(
        ITrackingClient client, IReadOnlyList<RunInfo> runs, IReadOnlyList<string> metricKeys)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(metricKeys);
        var charts = new Dictionary<string, IReadOnlyList<(string, IReadOnlyList<Metric>)>>(StringComparer.Ordinal);
        foreach (string key in metricKeys)
        {
            charts[key] = runs
                .Select(r => (Label(r, runs), client.GetMetricHistory(r.RunId, key)))
                .Where(s => s.Item2.Count != 0)
                .ToList();
        }

        return charts;
    }

    /// <summary>Renders one SVG document with a chart per metric, stacked vertically.</summary>
    /// <param name="charts">Per metric key, the series.</param>
    /// <param name="width">The width in pixels of each chart.</param>
    /// <param name="height">The height in pixels of each chart.</param>
    /// <returns>A standalone SVG document.</returns>
    public static string RenderSvg(IReadOnlyDictionary<string, IReadOnlyList<(string Run, IReadOnlyList<Metric> Points)>> charts, int width = 720, int height = 360)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var text = new StringBuilder();
        int total = Math.Max(1, charts.Count) * height;
        text.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{total}\" viewBox=\"0 0 {width} {total}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        int y = 0;
        foreach (var (key, series) in charts)
        {
            text.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate(0,{y})\">\n");
            Chart(text, key, series, width, height);
            text.Append("</g>\n");
            y += height;
        }

        text.Append("</svg>\n");
        return text.ToString();
    }

    /// <summary>Renders a self-contained HTML page: a heading and one inline SVG chart per metric; no scripts.</summary>
    /// <param name="title">The page title.</param>
    /// <param name="charts">Per metric key, the series.</param>
    /// <returns>The HTML document.</returns>
    public static string RenderHtml(string title, IReadOnlyDictionary<string, IReadOnlyList<(string Run, IReadOnlyList<Metric> Points)>> charts)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(charts);
        var text = new StringBuilder();
        text.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        text.Append("<style>body{font-family:sans-serif;margin:2em;color:#222}figure{margin:0 0 2em 0}</style>\n</head>\n<body>\n");
        text.Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        foreach (var (key, series) in charts)
        {
            text.Append("<figure>\n");
            text.Append(RenderSvg(new Dictionary<string, IReadOnlyList<(string, IReadOnlyList<Metric>)>> { [key] = series }));
            text.Append("</figure>\n");
        }

        text.Append("</body>\n</html>\n");
        return text.ToString();
    }

    private static string Label(RunInfo run, IReadOnlyList<RunInfo> all) =>
        all.Count(r => r.RunName == run.RunName) > 1 || run.RunName.Length == 0 ? $"{run.RunName} ({run.RunId[..Math.Min(8, run.RunId.Length)]})" : run.RunName;

    private static void Chart(StringBuilder text, string key, IReadOnlyList<(string Run, IReadOnlyList<Metric> Points)> series, int width, int height)
    {
        const int left = 70, right = 170, top = 30, bottom = 40;
        int plotWidth = width - left - right;
        int plotHeight = height - top - bottom;
        var finite = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Value)).ToList();
        text.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{Xml(key)}</text>\n");
        text.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#999\"/>\n");
        if (finite.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + 10}\" y=\"{top + 20}\">no finite values</text>\n");
            return;
        }

        double xMin = finite.Min(p => p.Step), xMax = finite.Max(p => p.Step);
        double yMin = finite.Min(p => p.Value), yMax = finite.Max(p => p.Value);
        if (xMax == xMin)
        {
            xMax = xMin + 1;
        }

        if (yMax == yMin)
        {
            yMin -= 0.5;
            yMax += 0.5;
        }

        double X(double step) => left + ((step - xMin) / (xMax - xMin) * plotWidth);
        double Y(double value) => top + plotHeight - ((value - yMin) / (yMax - yMin) * plotHeight);
        for (int i = 0; i <= 4; i++)
        {
            double v = yMin + ((yMax - yMin) * i / 4);
            double s = xMin + ((xMax - xMin) * i / 4);
            text.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left + plotWidth}\" y1=\"{Y(v):0.##}\" y2=\"{Y(v):0.##}\" stroke=\"#eee\"/>\n");
            text.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Y(v) + 4:0.##}\" text-anchor=\"end\">{Xml(v.ToString("G4", CultureInfo.InvariantCulture))}</text>\n");
            text.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(s):0.##}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\">{Xml(s.ToString("G6", CultureInfo.InvariantCulture))}</text>\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + (plotWidth / 2)}\" y=\"{height - 6}\" text-anchor=\"middle\">step</text>\n");
        for (int i = 0; i < series.Count; i++)
        {
            string color = Palette[i % Palette.Length];
            var points = series[i].Points.Where(p => double.IsFinite(p.Value)).OrderBy(p => p.Step).ThenBy(p => p.TimestampMs)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Step):0.##},{Y(p.Value):0.##}"));
            text.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>\n");
            int legendY = top + 10 + (i * 18);
            text.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left + plotWidth + 10}\" x2=\"{left + plotWidth + 30}\" y1=\"{legendY}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            text.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotWidth + 34}\" y=\"{legendY + 4}\">{Xml(series[i].Run)}</text>\n");
        }
    }

    private static string Xml(string text) => WebUtility.HtmlEncode(text);
}
