namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>Metric files: exact lines, values read back, subfolders, latest-point selection.</summary>
public sealed class MetricTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MlflowFileStore _store;
    private readonly RunInfo _run;

    public MetricTests()
    {
        _store = new MlflowFileStore(_temp.Path);
        _run = _store.CreateRun("0", "metrics");
    }

    public void Dispose() => _temp.Dispose();

    private string MetricPath(params string[] parts) => Path.Combine([_temp.Path, "0", _run.RunId, "metrics", .. parts]);

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1.2345678901234567e300, "1.2345678901234567e+300")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.Epsilon, "5e-324")]
    public void ValuesAreWrittenAsPythonRepr(double value, string expected)
    {
        MlflowFileStore.FormatMetricLine(new Metric("m", value, 1_700_000_000_000, 7))
            .Should().Be($"1700000000000 {expected} 7\n");
    }

    [Fact]
    public void PointsAreAppendedAsExactLinesAndReadBackEqual()
    {
        Metric[] points =
        [
            new("loss", 0.1, 1_000, 0),
            new("loss", double.NaN, 1_001, 1),
            new("loss", double.PositiveInfinity, 1_002, 2),
            new("loss", double.NegativeInfinity, 1_003, 3),
            new("loss", 2.0 / 3.0, 1_004, -1),
        ];
        _store.LogBatch(_run.RunId, points[..2], [], []);
        _store.LogBatch(_run.RunId, points[2..], [], []);

        File.ReadAllText(MetricPath("loss")).Should().Be(
            "1000 0.1 0\n1001 nan 1\n1002 inf 2\n1003 -inf 3\n1004 0.6666666666666666 -1\n");
        var history = _store.GetMetricHistory(_run.RunId, "loss");
        history.Should().Equal(points);
        double.IsNaN(history[1].Value).Should().BeTrue();
    }

    [Fact]
    public void ASlashInAKeyMakesSubfolders()
    {
        _store.LogBatch(_run.RunId, [new Metric("train/loss", 1.5, 5, 1), new Metric("eval/sub/acc", 0.5, 5, 1)], [], []);

        File.ReadAllText(MetricPath("train", "loss")).Should().Be("5 1.5 1\n");
        File.ReadAllText(MetricPath("eval", "sub", "acc")).Should().Be("5 0.5 1\n");
        _store.GetRun(_run.RunId).LatestMetrics.Keys.Should().BeEquivalentTo("train/loss", "eval/sub/acc");
        _store.GetMetricHistory(_run.RunId, "train/loss").Should().Equal(new Metric("train/loss", 1.5, 5, 1));
    }

    [Fact]
    public void AKeyCannotBeBothAMetricAndAFolderOfMetrics()
    {
        _store.LogBatch(_run.RunId, [new Metric("a", 1, 1, 0)], [], []);

        var below = () => _store.LogBatch(_run.RunId, [new Metric("a/b", 1, 1, 0)], [], []);
        var inOneBatch = () => _store.LogBatch(_run.RunId, [new Metric("x", 1, 1, 0), new Metric("x/y", 1, 1, 0)], [], []);

        below.Should().Throw<TrackingException>().WithMessage("*'a/b'*'a'*");
        inOneBatch.Should().Throw<TrackingException>().WithMessage("*'x/y'*'x'*");
        File.Exists(MetricPath("x")).Should().BeFalse("a rejected batch writes nothing");
    }

    [Fact]
    public void LatestMetricIsTheLargestStepThenTheLatestTimestamp()
    {
        _store.LogBatch(
            _run.RunId,
            [
                new Metric("m", 1, 100, 3),
                new Metric("m", 2, 200, 3),
                new Metric("m", 3, 999, 2),
                new Metric("m", 4, 150, 3),
            ],
            [],
            []);

        _store.GetRun(_run.RunId).LatestMetrics["m"].Should().Be(new Metric("m", 2, 200, 3));
    }

    [Fact]
    public void UnknownMetricsHaveAnEmptyHistory()
    {
        _store.GetMetricHistory(_run.RunId, "never").Should().BeEmpty();
    }

    [Fact]
    public void MetricFilesWrittenByMlflowAreReadIncludingTwoFieldLines()
    {
        File.WriteAllText(MetricPath("old"), "10 1.0\n20 NaN 2\n30 -Infinity 3\n40 1e-05 4\n");

        _store.GetMetricHistory(_run.RunId, "old").Should().Equal(
            new Metric("old", 1.0, 10, 0),
            new Metric("old", double.NaN, 20, 2),
            new Metric("old", double.NegativeInfinity, 30, 3),
            new Metric("old", 1e-05, 40, 4));
    }

    [Fact]
    public void ACorruptMetricLineNamesTheFile()
    {
        File.WriteAllText(MetricPath("bad"), "10 1.0 0\nnot a number here\n");

        var act = () => _store.GetMetricHistory(_run.RunId, "bad");

        act.Should().Throw<InvalidDataException>().WithMessage($"*{MetricPath("bad")}*line 2*");
    }

    [Fact]
    public void TwoThreadsLoggingToOneStoreLoseNoPoints()
    {
        var second = _store.CreateRun("0", "second");
        const int count = 300;

        void Log(string runId) => Enumerable.Range(0, count).ToList().ForEach(
            i => _store.LogBatch(runId, [new Metric("shared", i, i, i)], [], [new RunTag("last", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]));

        System.Threading.Tasks.Parallel.Invoke(() => Log(_run.RunId), () => Log(_run.RunId), () => Log(second.RunId));

        var history = _store.GetMetricHistory(_run.RunId, "shared");
        history.Should().HaveCount(2 * count);
        File.ReadAllLines(MetricPath("shared")).Should().OnlyContain(l => l.Split(' ', StringSplitOptions.None).Length == 3);
        _store.GetMetricHistory(second.RunId, "shared").Select(m => m.Step).Should().Equal(Enumerable.Range(0, count).Select(i => (long)i));
    }
}
