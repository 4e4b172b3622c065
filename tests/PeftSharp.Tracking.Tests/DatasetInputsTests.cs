namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

/// <summary>Dataset inputs in the file store: MLflow's datasets/ and inputs/ folders and YAML.</summary>
public sealed class DatasetInputsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Inputs_are_written_in_mlflows_layout_once_and_read_back()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        string experiment = store.GetOrCreateExperiment("data");
        var run = store.CreateRun(experiment, "r");
        var input = new DatasetInput("wdbc", "0123456789abcdef0123456789abcdef", "local", "{\"uri\": \"data/wdbc.parquet\"}", Profile: "{\"num_rows\": 569}", Context: "training");

        store.LogInputs(run.RunId, [input]);
        store.LogInputs(run.RunId, [input]);

        string datasetId = MlflowFileStore.DatasetId("wdbc", input.Digest);
        datasetId.Should().MatchRegex("^[0-9a-f]{32}$");
        string datasetMeta = Path.Combine(store.RootDirectory, experiment, "datasets", datasetId, "meta.yaml");
        File.ReadAllText(datasetMeta).Should().Be(
            "digest: 0123456789abcdef0123456789abcdef\n" +
            "name: wdbc\n" +
            "profile: '{\"num_rows\": 569}'\n" +
            "schema: null\n" +
            "source: '{\"uri\": \"data/wdbc.parquet\"}'\n" +
            "source_type: local\n");
        string inputId = MlflowFileStore.DatasetId(datasetId, run.RunId);
        var inputs = Directory.GetDirectories(Path.Combine(store.RootDirectory, experiment, run.RunId, "inputs"));
        inputs.Should().ContainSingle().Which.Should().EndWith(inputId);
        File.ReadAllText(Path.Combine(inputs[0], "meta.yaml")).Should().Be(
            $"destination_id: {run.RunId}\n" +
            "destination_type: RUN\n" +
            $"source_id: {datasetId}\n" +
            "source_type: DATASET\n" +
            "tags:\n  mlflow.data.context: training\n");

        store.GetInputs(run.RunId).Should().ContainSingle().Which.Should().Be(input);
        store.ListRuns(experiment).Should().ContainSingle("the datasets folder is not a run");
    }

    [Fact]
    public void Md5_ids_match_mlflows_insecure_hash_of_name_then_digest()
    {
        // md5("wdbc" + "abc") computed independently: printf 'wdbcabc' | md5sum
        MlflowFileStore.DatasetId("wdbc", "abc").Should().Be("65dbcdc1e2aab9125c9c499a37c45b25");
    }

    [Fact]
    public void Bad_datasets_and_artifact_paths_are_refused_with_the_field_named()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        var run = store.CreateRun(store.GetOrCreateExperiment("data"), "r");

        var longName = () => store.LogInputs(run.RunId, [new DatasetInput(new string('n', 501), "d", "local", "{}")]);
        longName.Should().Throw<ArgumentException>().WithMessage("*Name has 501 characters*500*");

        string file = _temp.Combine("a.txt");
        File.WriteAllText(file, "x");
        var escape = () => store.LogArtifact(run.RunId, file, "../outside");
        escape.Should().Throw<ArgumentException>().WithMessage("*'..'*");
        store.LogArtifact(run.RunId, file, "sub/dir");
        File.ReadAllText(Path.Combine(store.GetArtifactDirectory(run.RunId), "sub", "dir", "a.txt")).Should().Be("x");
    }
}
