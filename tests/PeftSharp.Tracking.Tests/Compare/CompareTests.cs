namespace PeftSharp.Tracking.Tests.Compare;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

/// <summary>compare on a file store with several runs: tables, filters, sorting, curves, and the command.</summary>
public sealed class CompareTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MlflowFileStore _store;
    private readonly RunInfo _r1;
    private readonly RunInfo _r2;
    private readonly RunInfo _r3;

    public CompareTests()
    {
        var clock = new FixedTimeProvider(1_700_000_000_000);
        _store = new MlflowFileStore(_temp.Combine("mlruns"), clock);
        string experiment = _store.GetOrCreateExperiment("sweep");
        _r1 = Run(experiment, clock, "lr-0.1", [("lr", "0.1"), ("seed", "1"), ("model", "mlp")], [1.0, 0.5, 0.7], 0.8);
        _r2 = Run(experiment, clock, "lr-0.01", [("lr", "0.01"), ("seed", "1"), ("model", "mlp")], [0.9, 0.3, 0.4], 0.9);
        _r3 = Run(experiment, clock, "lr-0.001", [("lr", "0.001"), ("seed", "2"), ("model", "mlp")], [2.0], null);
        _store.UpdateRun(_r3.RunId, RunStatus.Killed, 1);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Csv_lists_newest_first_with_only_differing_params_and_final_metrics()
    {
        var comparison = RunComparison.Load(_store, "sweep");

        comparison.ToCsv().Should().Be(
            "run_id,run_name,status,params.lr,params.seed,metrics.acc,metrics.train/loss\n" +
            $"{_r3.RunId},lr-0.001,KILLED,0.001,2,,2\n" +
            $"{_r2.RunId},lr-0.01,RUNNING,0.01,1,0.9,0.4\n" +
            $"{_r1.RunId},lr-0.1,RUNNING,0.1,1,0.8,0.7\n");
    }

    [Fact]
    public void Markdown_with_all_params_best_values_and_sorting_by_loss()
    {
        var comparison = RunComparison.Load(_store, "sweep", new CompareOptions { AllParams = true, Summary = MetricSummary.Best, SortMetric = "train/loss" });

        comparison.ToMarkdown().Should().Be(
            "## sweep: 3 runs (best metrics)\n\n" +
            "| run_id | run_name | status | params.lr | params.model | params.seed | metrics.acc | metrics.train/loss |\n" +
            "|---|---|---|---|---|---|---|---|\n" +
            $"| {_r2.RunId} | lr-0.01 | RUNNING | 0.01 | mlp | 1 | 0.9 | 0.3 |\n" +
            $"| {_r1.RunId} | lr-0.1 | RUNNING | 0.1 | mlp | 1 | 0.8 | 0.5 |\n" +
            $"| {_r3.RunId} | lr-0.001 | KILLED | 0.001 | mlp | 2 |  | 2 |\n");
    }

    [Fact]
    public void Sorting_descending_puts_runs_without_the_metric_last()
    {
        var comparison = RunComparison.Load(_store, "sweep", new CompareOptions { SortMetric = "acc" });

        comparison.Runs.Select(r => r.Info.RunName).Should().Equal("lr-0.01", "lr-0.1", "lr-0.001");
        RunComparison.Load(_store, "sweep", new CompareOptions { SortMetric = "acc", SortDescending = false })
            .Runs.Select(r => r.Info.RunName).Should().Equal("lr-0.1", "lr-0.01", "lr-0.001");
    }

    [Fact]
    public void Curves_render_as_well_formed_svg_and_a_script_free_html_page()
    {
        var charts = MetricCurves.Load(_store, [_r1, _r2, _r3], ["train/loss", "acc"]);

        var svg = XDocument.Parse(MetricCurves.RenderSvg(charts));
        XNamespace ns = "http://www.w3.org/2000/svg";
        svg.Root!.Name.Should().Be(ns + "svg");
        svg.Descendants(ns + "polyline").Should().HaveCount(5);
        svg.Descendants(ns + "text").Select(t => t.Value).Should().Contain(["train/loss", "acc", "lr-0.1", "lr-0.01"]);

        string html = MetricCurves.RenderHtml("sweep <curves>", charts);
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<title>sweep &lt;curves&gt;</title>");
        html.Should().NotContain("<script").And.NotContain("src=").And.NotContain("href=", "no external resources");
        foreach (string part in html.Split("<svg")[1..])
        {
            XDocument.Parse("<svg" + part[..(part.IndexOf("</svg>", StringComparison.Ordinal) + 6)]).Root!.Name.LocalName.Should().Be("svg");
        }
    }

    [Fact]
    public async Task The_compare_command_writes_tables_and_curves_and_explains_bad_arguments()
    {
        string csv = _temp.Combine("runs.csv");
        string svg = _temp.Combine("curves.svg");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new Dictionary<string, string?> { ["MLFLOW_TRACKING_URI"] = _store.RootDirectory };

        int code = await TrackingCommands.RunAsync(
            "compare", ["--experiment", "sweep", "--output", csv, "--sort", "train/loss:desc", "--plot", "train/loss", "--plot-output", svg], output, error, n => env.GetValueOrDefault(n));

        code.Should().Be(0, error.ToString());
        File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[1]).Should().Equal("lr-0.001", "lr-0.1", "lr-0.01");
        XDocument.Load(svg).Root!.Name.LocalName.Should().Be("svg");

        using var help = new StringWriter();
        (await TrackingCommands.RunAsync("compare", ["--help"], help, error)).Should().Be(0);
        help.ToString().Should().Contain("--sort METRIC[:asc|desc]");

        using var bad = new StringWriter();
        (await TrackingCommands.RunAsync("compare", ["--experiment", "sweep", "--summary", "median"], output, bad, n => env.GetValueOrDefault(n))).Should().Be(2);
        bad.ToString().Should().Contain("--summary must be final, best, min or max");

        using var missing = new StringWriter();
        (await TrackingCommands.RunAsync("compare", ["--experiment", "nope"], output, missing, n => env.GetValueOrDefault(n))).Should().Be(2);
        missing.ToString().Should().Contain("no active experiment named 'nope'");
    }

    private RunInfo Run(string experiment, FixedTimeProvider clock, string name, (string, string)[] parameters, double[] losses, double? accuracy)
    {
        clock.NowMs += 1000;
        var info = _store.CreateRun(experiment, name);
        _store.LogBatch(info.RunId, [], parameters.Select(p => new Param(p.Item1, p.Item2)).ToList(), []);
        _store.LogBatch(info.RunId, losses.Select((v, i) => new Metric("train/loss", v, clock.NowMs + i, i)).ToList(), [], []);
        if (accuracy is double a)
        {
            _store.LogBatch(info.RunId, [new Metric("acc", a, clock.NowMs, 2)], [], []);
        }

        return info;
    }
}
