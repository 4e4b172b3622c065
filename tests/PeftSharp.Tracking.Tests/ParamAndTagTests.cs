namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using FluentAssertions;
using Xunit;

/// <summary>Params are write-once, tags overwrite, both stored raw without a newline.</summary>
public sealed class ParamAndTagTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MlflowFileStore _store;
    private readonly RunInfo _run;

    public ParamAndTagTests()
    {
        _store = new MlflowFileStore(_temp.Path);
        _run = _store.CreateRun("0", "params");
    }

    public void Dispose() => _temp.Dispose();

    private string RunPath(params string[] parts) => Path.Combine([_temp.Path, "0", _run.RunId, .. parts]);

    [Fact]
    public void ParamsAndTagsAreRawValuesWithoutNewline()
    {
        _store.LogBatch(_run.RunId, [], [new Param("lr", "0.0001"), new Param("model/name", "tiny: gpt")], [new RunTag("note", "multi\nline")]);

        File.ReadAllText(RunPath("params", "lr")).Should().Be("0.0001");
        File.ReadAllText(RunPath("params", "model", "name")).Should().Be("tiny: gpt");
        File.ReadAllText(RunPath("tags", "note")).Should().Be("multi\nline");
        var record = _store.GetRun(_run.RunId);
        record.Params.Should().BeEquivalentTo(new System.Collections.Generic.Dictionary<string, string>
        {
            ["lr"] = "0.0001",
            ["model/name"] = "tiny: gpt",
        });
        record.Tags["note"].Should().Be("multi\nline");
    }

    [Fact]
    public void LoggingTheSameParamValueAgainIsFine()
    {
        _store.LogBatch(_run.RunId, [], [new Param("rank", "8")], []);

        var act = () => _store.LogBatch(_run.RunId, [], [new Param("rank", "8")], []);

        act.Should().NotThrow();
        _store.GetRun(_run.RunId).Params["rank"].Should().Be("8");
    }

    [Fact]
    public void ChangingAParamValueIsRejectedWithTheKeyAndBothValuesAndTheBatchWritesNothing()
    {
        _store.LogBatch(_run.RunId, [], [new Param("rank", "8")], []);

        var act = () => _store.LogBatch(_run.RunId, [new Metric("m", 1, 1, 0)], [new Param("alpha", "16"), new Param("rank", "16")], [new RunTag("t", "v")]);

        act.Should().Throw<TrackingException>()
            .WithMessage("Changing param values is not allowed*key='rank'*value='8'*'16'*")
            .Which.ErrorCode.Should().Be(TrackingErrorCodes.InvalidParameterValue);
        File.Exists(RunPath("params", "alpha")).Should().BeFalse();
        File.Exists(RunPath("metrics", "m")).Should().BeFalse();
        File.Exists(RunPath("tags", "t")).Should().BeFalse();
        File.ReadAllText(RunPath("params", "rank")).Should().Be("8");
    }

    [Fact]
    public void DuplicateParamKeysInOneBatchAreRejected()
    {
        var act = () => _store.LogBatch(_run.RunId, [], [new Param("a", "1"), new Param("a", "1")], []);

        act.Should().Throw<ArgumentException>().WithMessage("*Duplicate*'a'*");
    }

    [Fact]
    public void TagsOverwrite()
    {
        _store.LogBatch(_run.RunId, [], [], [new RunTag("stage", "train")]);
        _store.LogBatch(_run.RunId, [], [], [new RunTag("stage", "eval")]);

        File.ReadAllText(RunPath("tags", "stage")).Should().Be("eval");
        _store.GetRun(_run.RunId).Tags["stage"].Should().Be("eval");
    }

    [Fact]
    public void UnknownRunsAreReported()
    {
        var act = () => _store.LogBatch(new string('a', 32), [], [], []);

        act.Should().Throw<TrackingException>().WithMessage("*aaaaaaaa*not found*")
            .Which.ErrorCode.Should().Be(TrackingErrorCodes.ResourceDoesNotExist);
    }
}
