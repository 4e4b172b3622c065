namespace PeftSharp.Tracking.Tests.Rest;

using System;
using System.Globalization;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>Opt-in: the same contract against a real MLflow server named by MLFLOW_TRACKING_URI.</summary>
public sealed class RealServerTests
{
    [RealServerFact]
    public void A_run_round_trips_through_a_real_server()
    {
        var client = new MlflowRestClient(MlflowRestOptions.FromEnvironment(Environment.GetEnvironmentVariable));
        string experiment = client.GetOrCreateExperiment("peftsharp-contract-" + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        var run = client.CreateRun(experiment, "contract");
        var metrics = Enumerable.Range(0, 1500).Select(i => new Metric("loss", i == 3 ? double.NaN : 1.0 / (i + 1), 1_700_000_000_000 + i, i)).ToList();

        client.LogBatch(run.RunId, metrics, [new Param("lr", "0.1")], [new RunTag("peftsharp.test", "contract")]);
        client.LogBatch(run.RunId, [], [new Param("lr", "0.1")], []);
        var change = () => client.LogBatch(run.RunId, [], [new Param("lr", "0.2")], []);
        change.Should().Throw<TrackingException>().Which.ErrorCode.Should().Be(TrackingErrorCodes.InvalidParameterValue);
        client.LogInputs(run.RunId, [new DatasetInput("contract", "0123456789abcdef0123456789abcdef", "local", "{\"uri\": \"x\"}")]);
        client.UpdateRun(run.RunId, RunStatus.Finished, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        client.GetMetricHistory(run.RunId, "loss").OrderBy(m => m.Step).Should().Equal(metrics);
        var record = client.GetRun(run.RunId);
        record.Info.Status.Should().Be(RunStatus.Finished);
        record.Params.Should().Contain("lr", "0.1");
        client.ListRuns(experiment).Should().Contain(r => r.RunId == run.RunId);
    }
}
