namespace PeftSharp.Tracking.Tests.Rest;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Tracking.Tests.Fake;
using Xunit;

/// <summary>The REST client against the in-process fake server, over real HTTP on loopback.</summary>
public sealed class RestClientContractTests : IAsyncLifetime
{
    private FakeMlflowServer _server = null!;
    private MlflowRestClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FastOptions.StartServerAsync("/mlflow-prefix");
        _client = new MlflowRestClient(FastOptions.Rest(_server.Uri));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void Experiments_are_found_or_created_through_the_path_prefix_with_json_posts_and_query_string_gets()
    {
        string id = _client.GetOrCreateExperiment("lora");
        _client.GetOrCreateExperiment("lora").Should().Be(id);
        _client.FindExperimentId("lora").Should().Be(id);
        _client.FindExperimentId("absent").Should().BeNull();

        _server.Experiments.Values.Count(e => e.Name == "lora").Should().Be(1);
        var requests = _server.Requests.ToList();
        requests.Should().Contain(r => r.Method == "GET" && r.Path == "/api/2.0/mlflow/experiments/get-by-name" && r.Query == "?experiment_name=lora");
        requests.Where(r => r.Method == "POST").Should().OnlyContain(r => r.ContentType == "application/json");
    }

    [Fact]
    public void A_creation_race_is_resolved_by_looking_the_experiment_up_again()
    {
        _server.Faults.Enqueue(new FakeFault(
            "experiments/create", 400, Code: "RESOURCE_ALREADY_EXISTS", Before: () => _server.Experiments["777"] = new FakeExperiment("777", "raced")));

        _client.GetOrCreateExperiment("raced").Should().Be("777");
    }

    [Fact]
    public void A_deleted_experiment_with_the_name_is_an_error_that_says_how_to_restore_it()
    {
        _server.Experiments["55"] = new FakeExperiment("55", "old") { LifecycleStage = "deleted" };

        var act = () => _client.GetOrCreateExperiment("old");

        act.Should().Throw<TrackingException>()
            .Where(e => e.ErrorCode == TrackingErrorCodes.ResourceAlreadyExists)
            .WithMessage("*deleted state*mlflow experiments restore --experiment-id 55*");
        _client.FindExperimentId("old").Should().BeNull();
    }

    [Fact]
    public void Runs_carry_system_tags_the_run_name_and_end_with_status_and_end_time()
    {
        string experiment = _client.GetOrCreateExperiment("lora");
        var info = _client.CreateRun(experiment, "trial-1", [new RunTag("team", "vision")]);

        var run = _server.Run(info.RunId);
        run.Name.Should().Be("trial-1");
        run.Tags.Should().Contain("mlflow.runName", "trial-1").And.Contain("team", "vision").And.Contain("mlflow.source.type", "LOCAL");
        run.Tags.Should().ContainKey("mlflow.user").And.ContainKey("mlflow.source.name");
        info.Status.Should().Be(RunStatus.Running);
        info.ArtifactUri.Should().Be($"mlflow-artifacts:/{experiment}/{info.RunId}/artifacts");

        _client.UpdateRun(info.RunId, RunStatus.Killed, 1234);

        var record = _client.GetRun(info.RunId);
        record.Info.Status.Should().Be(RunStatus.Killed);
        record.Info.EndTimeMs.Should().Be(1234);
        record.Tags.Should().Contain("team", "vision");
    }

    [Fact]
    public void Large_batches_are_split_like_mlflow_does_and_every_request_is_within_the_server_limits()
    {
        var info = NewRun();
        var metrics = Enumerable.Range(0, 2500).Select(i => new Metric("train/loss", 1.0 / (i + 1), 1000 + i, i)).ToList();
        var parameters = Enumerable.Range(0, 150).Select(i => new Param($"p{i:000}", $"v{i}")).ToList();
        var tags = Enumerable.Range(0, 30).Select(i => new RunTag($"t{i}", "x")).ToList();
        int before = _server.LogBatchRequests;

        _client.LogBatch(info.RunId, metrics, parameters, tags);

        // 180 params and tags: chunks of 100 and 80, topped up to 1000 with metrics (900 + 920), then the other 680.
        _server.LogBatchRequests.Should().Be(before + 3);
        var run = _server.Run(info.RunId);
        run.Metrics.Should().Equal(metrics);
        run.Params.Should().HaveCount(150);
        run.Tags.Keys.Where(k => k.StartsWith('t')).Should().HaveCount(30);
        MlflowRestClient.Chunk(metrics, parameters, tags).Select(c => (c.Metrics.Count, c.Params.Count, c.Tags.Count))
            .Should().Equal((900, 100, 0), (920, 50, 30), (680, 0, 0));
    }

    [Fact]
    public void Long_values_keep_each_request_under_the_size_limit()
    {
        var info = NewRun();
        var tags = Enumerable.Range(0, 100).Select(i => new RunTag($"long{i}", new string('é', 8000))).ToList();

        _client.LogBatch(info.RunId, [], [], tags);

        _server.Run(info.RunId).Tags.Keys.Count(k => k.StartsWith("long", StringComparison.Ordinal)).Should().Be(100);
        MlflowRestClient.Chunk([], [], tags).Count().Should().BeGreaterThan(1);
    }

    [Fact]
    public void Params_are_write_once_the_same_value_passes_a_different_one_is_the_servers_error()
    {
        var info = NewRun();
        _client.LogBatch(info.RunId, [], [new Param("lr", "0.001")], []);
        _client.LogBatch(info.RunId, [], [new Param("lr", "0.001")], []);

        var act = () => _client.LogBatch(info.RunId, [], [new Param("lr", "0.01")], []);

        var error = act.Should().Throw<TrackingException>().Which;
        error.ErrorCode.Should().Be(TrackingErrorCodes.InvalidParameterValue);
        error.HttpStatusCode.Should().Be(400);
        error.IsTransient.Should().BeFalse();
        error.Message.Should().Contain("Changing param values is not allowed");
        _server.Run(info.RunId).Params["lr"].Should().Be("0.001");
    }

    [Theory]
    [InlineData("bad|key")]
    [InlineData("/leading")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    public void Invalid_keys_are_refused_before_any_request(string key)
    {
        var info = NewRun();
        int before = _server.LogBatchRequests;

        var act = () => _client.LogBatch(info.RunId, [new Metric(key, 1, 1, 0)], [], []);

        act.Should().Throw<ArgumentException>().WithMessage($"*{key}*");
        _server.LogBatchRequests.Should().Be(before);
    }

    [Fact]
    public async Task The_fake_server_enforces_content_type_limits_and_error_bodies()
    {
        using var http = new HttpClient();
        var info = NewRun();
        using var text = new StringContent($"{{\"run_id\":\"{info.RunId}\"}}", Encoding.UTF8, "text/plain");
        var wrongType = await http.PostAsync(_server.Uri + "/api/2.0/mlflow/runs/log-batch", text);
        ((int)wrongType.StatusCode).Should().Be(400);
        (await wrongType.Content.ReadAsStringAsync()).Should().Contain("\"error_code\":\"BAD_REQUEST\"");

        string tooMany = "{\"run_id\":\"" + info.RunId + "\",\"metrics\":[" + string.Join(',', Enumerable.Range(0, 1001).Select(i => $"{{\"key\":\"m\",\"value\":1,\"timestamp\":{i},\"step\":0}}")) + "]}";
        using var json = new StringContent(tooMany, Encoding.UTF8, "application/json");
        var limit = await http.PostAsync(_server.Uri + "/api/2.0/mlflow/runs/log-batch", json);
        ((int)limit.StatusCode).Should().Be(400);
        (await limit.Content.ReadAsStringAsync()).Should().Contain("INVALID_PARAMETER_VALUE");

        var missing = await http.GetAsync(_server.Uri + "/api/2.0/mlflow/runs/get?run_id=0123");
        ((int)missing.StatusCode).Should().Be(404);
        (await missing.Content.ReadAsStringAsync()).Should().Contain("RESOURCE_DOES_NOT_EXIST");

        var act = () => _client.GetRun("0123456789abcdef0123456789abcdef");
        act.Should().Throw<TrackingException>().Where(e => e.ErrorCode == TrackingErrorCodes.ResourceDoesNotExist && e.HttpStatusCode == 404);
    }

    [Fact]
    public void Non_finite_values_round_trip_and_history_is_read_across_pages()
    {
        _server.HistoryPageLimit = 100;
        var info = NewRun();
        var metrics = Enumerable.Range(0, 250).Select(i => new Metric("m", i, 10 + i, i)).ToList();
        metrics[3] = metrics[3] with { Value = double.NaN };
        metrics[4] = metrics[4] with { Value = double.PositiveInfinity };
        metrics[5] = metrics[5] with { Value = double.NegativeInfinity };
        metrics[6] = metrics[6] with { Value = 0.1 + 0.2 };

        _client.LogBatch(info.RunId, metrics, [], []);

        _client.GetMetricHistory(info.RunId, "m").Should().Equal(metrics);
        _server.Requests.Count(r => r.Path.EndsWith("get-history", StringComparison.Ordinal)).Should().Be(3);
    }

    [Fact]
    public void Rate_limiting_with_retry_after_is_waited_out_and_the_batch_is_stored_once()
    {
        var info = NewRun();
        _server.Faults.Enqueue(new FakeFault("runs/log-batch", 429, RetryAfter: "1"));
        var watch = Stopwatch.StartNew();

        _client.LogBatch(info.RunId, [new Metric("m", 1, 1, 0)], [], []);

        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
        _server.Run(info.RunId).Metrics.Should().ContainSingle();
    }

    [Fact]
    public void Unavailable_answers_are_retried_with_backoff_up_to_the_limit()
    {
        var info = NewRun();
        _server.Faults.Enqueue(new FakeFault("runs/log-batch", 503, RetryAfter: "0"));
        _server.Faults.Enqueue(new FakeFault("runs/log-batch", 503));
        _client.LogBatch(info.RunId, [new Metric("m", 1, 1, 0)], [], []);
        _server.Run(info.RunId).Metrics.Should().ContainSingle();

        for (int i = 0; i < 4; i++)
        {
            _server.Faults.Enqueue(new FakeFault("runs/update", 502, NotJson: true));
        }

        var act = () => _client.UpdateRun(info.RunId, RunStatus.Finished, 5);
        var error = act.Should().Throw<TrackingException>().Which;
        error.HttpStatusCode.Should().Be(502);
        error.IsTransient.Should().BeTrue();
        error.Message.Should().Contain("Bad gateway");
    }

    [Fact]
    public void A_batch_applied_by_the_server_whose_answer_was_lost_is_reconciled_not_duplicated()
    {
        var info = NewRun();
        var metrics = Enumerable.Range(0, 1500).Select(i => new Metric(i % 2 == 0 ? "a" : "b", i, 100 + i, i)).ToList();

        // The second chunk is applied, then the connection drops: the client cannot know, so it must check.
        _server.Faults.Enqueue(new FakeFault("runs/log-batch", ApplyThenDrop: true));
        _client.LogBatch(info.RunId, metrics, [], []);

        _server.Run(info.RunId).Metrics.Should().HaveCount(1500).And.OnlyHaveUniqueItems();
        _server.Run(info.RunId).Metrics.Where(m => m.Key == "a").Should().Equal(metrics.Where(m => m.Key == "a"));
    }

    [Fact]
    public async Task Basic_credentials_take_precedence_over_a_token_and_never_appear_in_errors()
    {
        var options = FastOptions.Rest(_server.Uri);
        options.Username = "alice";
        options.Password = "s3cret-pw";
        options.Token = "tok-123";
        _server.RequiredAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret-pw"));
        new MlflowRestClient(options).GetOrCreateExperiment("auth").Should().NotBeEmpty();

        var tokenOnly = FastOptions.Rest(_server.Uri);
        tokenOnly.Token = "tok-123";
        _server.RequiredAuthorization = "Bearer tok-123";
        new MlflowRestClient(tokenOnly).GetOrCreateExperiment("auth").Should().NotBeEmpty();

        var inUri = FastOptions.Rest(_server.Uri.Replace("http://", "http://bob:uri-pw@", StringComparison.Ordinal));
        _server.RequiredAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:uri-pw"));
        new MlflowRestClient(inUri).GetOrCreateExperiment("auth").Should().NotBeEmpty();
        inUri.DisplayUri.Should().NotContain("uri-pw").And.NotContain("bob");

        _server.RequiredAuthorization = "Bearer something-else";
        var act = () => new MlflowRestClient(options).GetOrCreateExperiment("auth");
        var error = act.Should().Throw<TrackingException>().Which;
        error.HttpStatusCode.Should().Be(401);
        error.ToString().Should().NotContain("s3cret-pw").And.NotContain("tok-123").And.NotContain("alice");

        await _server.StopAsync();
        var down = () => new MlflowRestClient(inUri).GetOrCreateExperiment("auth");
        down.Should().Throw<TrackingException>().Which.ToString().Should().NotContain("uri-pw");
        await _server.RestartAsync();
    }

    [Fact]
    public void Environment_variables_configure_uri_credentials_and_retries()
    {
        var variables = new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_URI"] = "https://mlflow.example.com/base/",
            ["MLFLOW_TRACKING_USERNAME"] = "u",
            ["MLFLOW_TRACKING_PASSWORD"] = "p",
            ["MLFLOW_TRACKING_TOKEN"] = "t",
            ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "2",
            ["MLFLOW_TRACKING_INSECURE_TLS"] = "true",
        };

        var options = MlflowRestOptions.FromEnvironment(name => variables.GetValueOrDefault(name));

        options.DisplayUri.Should().Be("https://mlflow.example.com/base");
        options.Authorization!.Scheme.Should().Be("Basic");
        options.MaxRetries.Should().Be(2);
        options.InsecureTls.Should().BeTrue();

        variables["MLFLOW_TRACKING_INSECURE_TLS"] = "maybe";
        var act = () => MlflowRestOptions.FromEnvironment(name => variables.GetValueOrDefault(name));
        act.Should().Throw<ArgumentException>().WithMessage("*MLFLOW_TRACKING_INSECURE_TLS*");
    }

    [Fact]
    public void Artifacts_are_uploaded_through_the_proxy_and_datasets_logged_as_inputs()
    {
        var info = NewRun();
        string file = Path.Combine(Path.GetTempPath(), "peftsharp-artifact-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(file, "adapter weights");
        try
        {
            _client.LogArtifact(info.RunId, file, "adapters/final");
        }
        finally
        {
            File.Delete(file);
        }

        _server.Artifacts.Should().ContainKey($"{info.ExperimentId}/{info.RunId}/artifacts/adapters/final/{Path.GetFileName(file)}")
            .WhoseValue.Should().Equal(Encoding.UTF8.GetBytes("adapter weights"));

        var dataset = new DatasetInput("wdbc", "0123456789abcdef0123456789abcdef", "local", "{\"uri\": \"data/wdbc.parquet\"}", Profile: "{\"num_rows\": 569}");
        _client.LogInputs(info.RunId, [dataset]);
        _client.LogInputs(info.RunId, [dataset]);
        _server.Run(info.RunId).Inputs.Should().ContainSingle().Which.Should().Be(dataset);
    }

    [Fact]
    public async Task Runs_are_searched_across_pages_and_by_tag()
    {
        _server.SearchPageLimit = 2;
        string experiment = _client.GetOrCreateExperiment("search");
        var ids = Enumerable.Range(0, 5).Select(i => _client.CreateRun(experiment, $"r{i}", [new RunTag("group", i % 2 == 0 ? "even" : "odd")]).RunId).ToList();

        _client.ListRuns(experiment).Select(r => r.RunId).Should().BeEquivalentTo(ids);
        var even = await _client.SearchRunsAsync([experiment], "tags.`group` = 'even'");
        even.Select(r => r.Info.RunName).Should().BeEquivalentTo(["r0", "r2", "r4"]);
    }

    private RunInfo NewRun() => _client.CreateRun(_client.GetOrCreateExperiment("contract"), "run");
}
