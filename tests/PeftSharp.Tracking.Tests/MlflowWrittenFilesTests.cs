namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using FluentAssertions;
using Xunit;

/// <summary>Files as MLflow (PyYAML) writes them are read, and corrupt ones are reported with their path.</summary>
public sealed class MlflowWrittenFilesTests : IDisposable
{
    private const string RunId = "0123456789abcdef0123456789abcdef";
    private readonly TempDirectory _temp = new();
    private readonly MlflowFileStore _store;

    public MlflowWrittenFilesTests()
    {
        _store = new MlflowFileStore(_temp.Path);
        Directory.CreateDirectory(RunPath("tags"));
        Directory.CreateDirectory(RunPath("metrics"));
        Directory.CreateDirectory(RunPath("params"));
    }

    public void Dispose() => _temp.Dispose();

    private string RunPath(params string[] parts) => Path.Combine([_temp.Path, "0", RunId, .. parts]);

    private void WriteMeta(string text) => File.WriteAllText(RunPath("meta.yaml"), text.Replace("\r\n", "\n", StringComparison.Ordinal));

    [Fact]
    public void ARunWrittenByMlflowIsRead()
    {
        // What MLflow 2.x/3.x's FileStore writes (yaml.safe_dump): plain, single-quoted and null values, no deleted_time.
        WriteMeta($"""
            artifact_uri: file:///home/user/mlruns/0/{RunId}/artifacts
            end_time: 1700000005000
            entry_point_name: ''
            experiment_id: '0'
            lifecycle_stage: active
            run_id: {RunId}
            run_name: 'it''s: a run'
            run_uuid: {RunId}
            source_name: ''
            source_type: 4
            source_version: ''
            start_time: 1700000000000
            status: 3
            tags: []
            user_id: someone

            """);
        File.WriteAllText(RunPath("tags", "mlflow.runName"), "it's: a run");
        File.WriteAllText(RunPath("params", "lr"), "0.001");

        var record = _store.GetRun(RunId);

        record.Info.Should().Be(new RunInfo(
            RunId, "0", "it's: a run", RunStatus.Finished, 1_700_000_000_000, 1_700_000_005_000,
            $"file:///home/user/mlruns/0/{RunId}/artifacts"));
        record.Params["lr"].Should().Be("0.001");
        _store.ListRuns("0").Should().ContainSingle().Which.RunId.Should().Be(RunId);
    }

    [Fact]
    public void DoubleQuotedFoldedAndOldStyleValuesAreRead()
    {
        // Older files: experiment_id as an int, no run_name (the tag holds it); long strings folded over lines.
        WriteMeta($"""
            artifact_uri: "file:///tmp/with\ttab"
            end_time: null
            experiment_id: 0
            lifecycle_stage: active
            run_uuid: {RunId}
            start_time: 5
            status: 1
            tags:
            - a
            - b
            user_id: 'a very long user name that PyYAML folded
              onto a second line'
            """);
        File.WriteAllText(RunPath("tags", "mlflow.runName"), "from-tag");

        var info = _store.GetRun(RunId).Info;

        info.Should().Be(new RunInfo(RunId, "0", "from-tag", RunStatus.Running, 5, null, "file:///tmp/with\ttab"));
    }

    [Fact]
    public void UpdatingARunWrittenByMlflowKeepsTheFieldsItDoesNotManage()
    {
        WriteMeta($"""
            artifact_uri: file:///x
            end_time: null
            experiment_id: '0'
            lifecycle_stage: active
            run_id: {RunId}
            run_name: r
            run_uuid: {RunId}
            start_time: 5
            status: 1
            tags: []
            user_id: 'someone: else'
            extra_field: "kept\n"
            """);

        _store.UpdateRun(RunId, RunStatus.Failed, 9);

        YamlLines.Lines(RunPath("meta.yaml")).Should().Equal(
            "artifact_uri: file:///x",
            "end_time: 9",
            "experiment_id: '0'",
            "extra_field: \"kept\\n\"",
            "lifecycle_stage: active",
            $"run_id: {RunId}",
            "run_name: r",
            $"run_uuid: {RunId}",
            "start_time: 5",
            "status: 4",
            "tags: []",
            "user_id: 'someone: else'");
    }

    [Theory]
    [InlineData("run_id: x\nstatus: 1\nthis line has no colon\n", "line 3")]
    [InlineData("run_name: 'unterminated\nstatus: 1\n", "not closed")]
    [InlineData("experiment_id: '0'\nstatus: running\n", "'status'")]
    [InlineData("experiment_id: '0'\nstatus: 9\n", "'status'")]
    [InlineData("experiment_id: '0'\n", "'status'")]
    [InlineData("status: 1\nstatus: 2\n", "twice")]
    [InlineData("   \n", "empty")]
    public void ACorruptMetaYamlIsReportedWithItsPath(string text, string problem)
    {
        WriteMeta(text);

        var act = () => _store.GetRun(RunId);

        act.Should().Throw<InvalidDataException>()
            .Which.Message.Should().Contain(RunPath("meta.yaml")).And.Contain(problem);
    }

    [Fact]
    public void ACorruptExperimentMetaYamlIsReportedWithItsPath()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "77"));
        string path = Path.Combine(_temp.Path, "77", "meta.yaml");
        File.WriteAllText(path, "name: 'broken\n");

        var act = () => _store.GetOrCreateExperiment("anything");

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }
}
