namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using FluentAssertions;
using Xunit;

/// <summary>MLflow's key and value rules, checked before anything is written.</summary>
public sealed class ValidationTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MlflowFileStore _store;
    private readonly RunInfo _run;

    public ValidationTests()
    {
        _store = new MlflowFileStore(_temp.Path);
        _run = _store.CreateRun("0", "validation");
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("", "empty")]
    [InlineData("bad*char", "'*'")]
    [InlineData("tab\there", "not allowed")]
    [InlineData("ünïcode", "'ü'")]
    [InlineData("../escape", "'..'")]
    [InlineData("a/../b", "'..'")]
    [InlineData("a/./b", "'.'")]
    [InlineData(".", "'.'")]
    [InlineData("/abs", "start with '/'")]
    [InlineData("a//b", "'//'")]
    [InlineData("trailing/", "end with '/'")]
    public void InvalidKeysAreRejectedNamingTheKeyAndTheRule(string key, string rule)
    {
        foreach (var act in new Action[]
        {
            () => _store.LogBatch(_run.RunId, [new Metric(key, 1, 1, 0)], [], []),
            () => _store.LogBatch(_run.RunId, [], [new Param(key, "v")], []),
            () => _store.LogBatch(_run.RunId, [], [], [new RunTag(key, "v")]),
        })
        {
            var error = act.Should().Throw<ArgumentException>().Which;
            error.Message.Should().Contain(rule);
            if (key.Length != 0)
            {
                error.Message.Should().Contain($"'{key}'");
            }
        }
    }

    [Fact]
    public void KeysLongerThan250CharactersAreRejected()
    {
        string ok = new('k', 250);
        string tooLong = new('k', 251);

        _store.LogBatch(_run.RunId, [new Metric(ok, 1, 1, 0)], [], []);
        var act = () => _store.LogBatch(_run.RunId, [new Metric(tooLong, 1, 1, 0)], [], []);

        act.Should().Throw<ArgumentException>().WithMessage("*at most 250*251*");
    }

    [Theory]
    [InlineData("loss")]
    [InlineData("train/loss")]
    [InlineData("a b-c_d.e:f")]
    [InlineData("a..b")]
    [InlineData(".hidden")]
    public void ValidKeysAreAccepted(string key)
    {
        _store.LogBatch(_run.RunId, [new Metric(key, 1, 1, 0)], [new Param(key, "v")], [new RunTag(key, "v")]);

        var record = _store.GetRun(_run.RunId);
        record.LatestMetrics.Should().ContainKey(key);
        record.Params[key].Should().Be("v");
        record.Tags[key].Should().Be("v");
    }

    [Fact]
    public void ParamValuesAreLimitedTo6000AndTagValuesTo8000Characters()
    {
        _store.LogBatch(_run.RunId, [], [new Param("p", new string('v', 6000))], [new RunTag("t", new string('v', 8000))]);

        var param = () => _store.LogBatch(_run.RunId, [], [new Param("p2", new string('v', 6001))], []);
        var tag = () => _store.LogBatch(_run.RunId, [], [], [new RunTag("t2", new string('v', 8001))]);

        param.Should().Throw<ArgumentException>().WithMessage("*param 'p2'*at most 6000*");
        tag.Should().Throw<ArgumentException>().WithMessage("*tag 't2'*at most 8000*");
    }

    [Fact]
    public void ABatchWithOneBadEntryWritesNothing()
    {
        var act = () => _store.LogBatch(
            _run.RunId,
            [new Metric("good", 1, 1, 0)],
            [new Param("fine", "1")],
            [new RunTag("bad//tag", "x")]);

        act.Should().Throw<ArgumentException>();
        string runDirectory = Path.Combine(_temp.Path, "0", _run.RunId);
        Directory.EnumerateFileSystemEntries(Path.Combine(runDirectory, "metrics")).Should().BeEmpty();
        Directory.EnumerateFileSystemEntries(Path.Combine(runDirectory, "params")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("../0")]
    [InlineData("a/b")]
    [InlineData("")]
    public void RunIdsThatAreNotIdsAreRejected(string runId)
    {
        var act = () => _store.GetRun(runId);

        act.Should().Throw<ArgumentException>();
    }
}
