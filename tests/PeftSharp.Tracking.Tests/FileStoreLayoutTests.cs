namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>The mlruns/ layout and meta.yaml text, line by line, as documented in mlflow.md.</summary>
public sealed class FileStoreLayoutTests : IDisposable
{
    private const long Now = 1_700_000_000_123;
    private readonly TempDirectory _temp = new();
    private readonly FixedTimeProvider _clock = new(Now);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void OpeningAStoreCreatesTheDefaultExperiment()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"), _clock);

        string expected = "file://" + _temp.Combine("mlruns", "0");
        YamlLines.Lines(_temp.Combine("mlruns", "0", "meta.yaml")).Should().Equal(
            $"artifact_location: {expected}",
            $"creation_time: {Now}",
            "experiment_id: '0'",
            $"last_update_time: {Now}",
            "lifecycle_stage: active",
            "name: Default");
        store.GetOrCreateExperiment("Default").Should().Be("0");
    }

    [Fact]
    public void ReopeningAStoreKeepsTheDefaultExperimentFile()
    {
        _ = new MlflowFileStore(_temp.Path, _clock);
        _clock.NowMs = Now + 1000;
        _ = new MlflowFileStore(_temp.Path, _clock);

        YamlLines.Map(_temp.Combine("0", "meta.yaml"))["creation_time"].Should().Be(Now.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ANewExperimentGetsALargeIntegerIdAndItsOwnMetaYaml()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        string id = store.GetOrCreateExperiment("lora-sweep");

        id.Should().MatchRegex("^[1-9][0-9]{17}$");
        YamlLines.Lines(_temp.Combine(id, "meta.yaml")).Should().Equal(
            $"artifact_location: file://{_temp.Combine(id)}",
            $"creation_time: {Now}",
            $"experiment_id: '{id}'",
            $"last_update_time: {Now}",
            "lifecycle_stage: active",
            "name: lora-sweep");
    }

    [Fact]
    public void ARunGetsFoldersMetaYamlAndSystemTags()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        string experimentId = store.GetOrCreateExperiment("exp");

        var info = store.CreateRun(experimentId, "first-run", [new RunTag("team", "nlp")]);

        info.RunId.Should().MatchRegex("^[0-9a-f]{32}$");
        string runDirectory = _temp.Combine(experimentId, info.RunId);
        foreach (string folder in new[] { "metrics", "params", "tags", "artifacts" })
        {
            Directory.Exists(Path.Combine(runDirectory, folder)).Should().BeTrue(folder);
        }

        string artifactUri = "file://" + Path.Combine(runDirectory, "artifacts");
        info.Should().Be(new RunInfo(info.RunId, experimentId, "first-run", RunStatus.Running, Now, null, artifactUri));

        string[] lines = YamlLines.Lines(Path.Combine(runDirectory, "meta.yaml"));
        lines.Should().HaveCount(16);
        lines.Should().Equal(
            $"artifact_uri: {artifactUri}",
            "deleted_time: null",
            "end_time: null",
            "entry_point_name: ''",
            $"experiment_id: '{experimentId}'",
            "lifecycle_stage: active",
            lines[6],
            "run_name: first-run",
            "run_uuid: " + lines[6]["run_id: ".Length..],
            "source_name: ''",
            "source_type: 4",
            "source_version: ''",
            $"start_time: {Now}",
            "status: 1",
            "tags: []",
            lines[15]);

        // Hex ids are plain unless YAML would read them as a number (all digits, "12e34"): then quoted.
        lines[6].Should().BeOneOf($"run_id: {info.RunId}", $"run_id: '{info.RunId}'");
        lines[15].Should().StartWith("user_id: ");
        lines.Select(l => l[..l.IndexOf(':')]).Should().BeInAscendingOrder(StringComparer.Ordinal);

        string tags = Path.Combine(runDirectory, "tags");
        File.ReadAllText(Path.Combine(tags, "mlflow.runName")).Should().Be("first-run");
        File.ReadAllText(Path.Combine(tags, "mlflow.source.type")).Should().Be("LOCAL");
        File.ReadAllText(Path.Combine(tags, "mlflow.user")).Should().Be(Environment.UserName);
        File.ReadAllText(Path.Combine(tags, "mlflow.source.name")).Should().NotBeEmpty();
        File.ReadAllText(Path.Combine(tags, "team")).Should().Be("nlp");
    }

    [Fact]
    public void RunIdsThatYamlWouldReadAsNumbersRoundTripAsStrings()
    {
        // A run id of digits only is rare but possible; whatever the quoting, it must read back as the same id.
        var store = new MlflowFileStore(_temp.Path, _clock);
        var info = store.CreateRun("0", "r");

        store.GetRun(info.RunId).Info.Should().Be(info);
    }

    [Theory]
    [InlineData("plain-name", "plain-name")]
    [InlineData("with space", "with space")]
    [InlineData("key: value", "'key: value'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("\"quoted\"", "'\"quoted\"'")]
    [InlineData("123", "'123'")]
    [InlineData("1.5", "'1.5'")]
    [InlineData("true", "'true'")]
    [InlineData("null", "'null'")]
    [InlineData("#hash", "'#hash'")]
    [InlineData("-dash", "'-dash'")]
    [InlineData("ends:", "'ends:'")]
    [InlineData("2024-01-02", "'2024-01-02'")]
    [InlineData("line\nbreak", "\"line\\nbreak\"")]
    [InlineData("naïve", "'naïve'")]
    public void NamesAreQuotedWhenYamlNeedsItAndReadBackUnchanged(string name, string yaml)
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        string experimentId = store.GetOrCreateExperiment(name);
        var run = store.CreateRun(experimentId, name);

        YamlLines.Map(_temp.Combine(experimentId, "meta.yaml"))["name"].Should().Be(yaml);
        YamlLines.Map(_temp.Combine(experimentId, run.RunId, "meta.yaml"))["run_name"].Should().Be(yaml);
        store.GetRun(run.RunId).Info.RunName.Should().Be(name);
        store.GetOrCreateExperiment(name).Should().Be(experimentId);
    }

    [Fact]
    public void TheArtifactDirectoryIsTheRunArtifactsFolder()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        var run = store.CreateRun("0", "r");

        string directory = store.GetArtifactDirectory(run.RunId);

        directory.Should().Be(_temp.Combine("0", run.RunId, "artifacts"));
        Directory.Exists(directory).Should().BeTrue();
        run.ArtifactUri.Should().Be("file://" + directory);
    }

    [Fact]
    public void ArtifactUrisPercentEncodeLikePython()
    {
        string root = _temp.Combine("my runs#1");
        var store = new MlflowFileStore(root, _clock);

        var run = store.CreateRun("0", "r");

        run.ArtifactUri.Should().Be("file://" + _temp.Path + "/my%20runs%231/0/" + run.RunId + "/artifacts");
        store.GetRun(run.RunId).Info.ArtifactUri.Should().Be(run.ArtifactUri);
    }

    [Fact]
    public void MetaYamlWritesLeaveNoTemporaryFiles()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        string experimentId = store.GetOrCreateExperiment("exp");
        var run = store.CreateRun(experimentId, "r");
        store.LogBatch(run.RunId, [new Metric("m", 1, Now, 0)], [new Param("p", "v")], [new RunTag("t", "1"), new RunTag("mlflow.runName", "renamed")]);
        store.UpdateRun(run.RunId, RunStatus.Finished, Now + 5);

        var files = Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_temp.Path, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        files.Should().NotContain(f => f.EndsWith(".tmp", StringComparison.Ordinal));

        // Git tags appear only when the tests run inside a git checkout (as CI does); they are covered elsewhere.
        files.RemoveAll(f => f.Contains("/tags/mlflow.source.git.", StringComparison.Ordinal) || f.Contains("/tags/peftsharp.source.git.", StringComparison.Ordinal));
        files.Should().BeEquivalentTo(
            "0/meta.yaml",
            $"{experimentId}/meta.yaml",
            $"{experimentId}/{run.RunId}/meta.yaml",
            $"{experimentId}/{run.RunId}/metrics/m",
            $"{experimentId}/{run.RunId}/params/p",
            $"{experimentId}/{run.RunId}/tags/t",
            $"{experimentId}/{run.RunId}/tags/mlflow.runName",
            $"{experimentId}/{run.RunId}/tags/mlflow.user",
            $"{experimentId}/{run.RunId}/tags/mlflow.source.name",
            $"{experimentId}/{run.RunId}/tags/mlflow.source.type");
    }

    [Fact]
    public void UpdateRunSetsStatusCodeAndEndTime()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        var run = store.CreateRun("0", "r");

        store.UpdateRun(run.RunId, RunStatus.Killed, Now + 42);

        var meta = YamlLines.Map(_temp.Combine("0", run.RunId, "meta.yaml"));
        meta["status"].Should().Be("5");
        meta["end_time"].Should().Be((Now + 42).ToString(System.Globalization.CultureInfo.InvariantCulture));
        meta["run_name"].Should().Be("r");
        store.GetRun(run.RunId).Info.Should().Be(run with { Status = RunStatus.Killed, EndTimeMs = Now + 42 });
    }

    [Fact]
    public void SettingTheRunNameTagRenamesTheRunInMetaYaml()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);
        var run = store.CreateRun("0", "before");

        store.LogBatch(run.RunId, [], [], [new RunTag("mlflow.runName", "after")]);

        YamlLines.Map(_temp.Combine("0", run.RunId, "meta.yaml"))["run_name"].Should().Be("after");
        var record = store.GetRun(run.RunId);
        record.Info.RunName.Should().Be("after");
        record.Tags["mlflow.runName"].Should().Be("after");
    }

    [Fact]
    public void AnEmptyRunNameGetsAGeneratedOneKeptInTheTag()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        var run = store.CreateRun("0", string.Empty);

        run.RunName.Should().Be("run-" + run.RunId[..8]);
        store.GetRun(run.RunId).Tags["mlflow.runName"].Should().Be(run.RunName);
    }

    [Fact]
    public void ARunNameThatContradictsTheRunNameTagIsRejected()
    {
        var store = new MlflowFileStore(_temp.Path, _clock);

        var act = () => store.CreateRun("0", "a", [new RunTag("mlflow.runName", "b")]);

        act.Should().Throw<ArgumentException>().WithMessage("*'a'*'b'*");
    }
}
