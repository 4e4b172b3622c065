namespace PeftSharp.Tests.Sentiment;

using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
using SentimentLora;
using Xunit;
using Xunit.Abstractions;

/// <summary>
/// The flagship experiment's fast version (CI): the pretrained MiniLM with LoRA from the model's attributes, trained on
/// real reviews (a small subset, short sequences, a few steps), must lower its loss, record the run in MLflow and
/// save the adapter in PEFT's format with Hugging Face key names.
/// </summary>
public sealed class SentimentTrainingTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Lora_on_a_small_subset_lowers_the_loss_and_saves_a_PEFT_adapter()
    {
        var reason = DebianTestData.ReviewsUnavailable();
        Skip.If(reason is not null, reason);

        using var folder = new TempDirectory();
        var options = new SentimentOptions
        {
            DataDirectory = Path.Combine(folder.Path, "data"),
            Method = FineTuningMethod.Lora,
            TrainLimit = 48,
            TestLimit = 32,
            ValidationFraction = 0,
            MaxLength = 32,
            BatchSize = 8,
            Epochs = 3,
            LearningRate = 3e-3,
            WarmupFraction = 0,
        };
        var store = new MlflowFileStore(Path.Combine(folder.Path, "mlruns"));
        var log = new StringWriter();
        var settings = new RunSettings { Device = "cpu", CheckpointDirectory = Path.Combine(folder.Path, "checkpoints") };
        var host = new RunnerHost { Output = log, Error = log, Tracking = store, HandleSignals = false };

        var run = await ExperimentRunner.TrainAsync<SentimentOptions, SentimentResult>(options, SentimentRun.TrainAsync, settings, host);
        output.WriteLine(log.ToString());
        run.Status.Should().Be(RunStatus.Finished, run.Error);
        var result = run.Value!;

        // 3 epochs x 6 steps over the same 48 reviews: the last epoch's loss is clearly below the first's.
        var losses = store.GetMetricHistory(run.RunId, "train/loss").OrderBy(m => m.Step).Select(m => m.Value).ToList();
        losses.Should().HaveCount(18);
        var first = losses.Take(6).Average();
        var last = losses.Skip(12).Average();
        output.WriteLine($"mean loss epoch 1 {first:F4}, epoch 3 {last:F4}");
        last.Should().BeLessThan(first - 0.05, "LoRA training on real reviews must reduce the loss");

        // LoRA r = 8 on query and value of 6 layers plus the head: 6 x 2 x (8 x 384 + 384 x 8) + 384 x 2 + 2.
        result.Parameters.Trainable.Should().Be(74_498);
        result.Parameters.TrainablePercent.Should().BeLessThan(1);

        // The adapter in PEFT's reference layout.
        result.AdapterDirectory.Should().NotBeNull();
        var tensors = Safetensors.Load(Path.Combine(result.AdapterDirectory!, "adapter_model.safetensors"));
        try
        {
            var expected = Enumerable.Range(0, 6)
                .SelectMany(layer => new[] { "query", "value" }.Select(p => $"base_model.model.bert.encoder.layer.{layer}.attention.self.{p}"))
                .SelectMany(path => new[] { path + ".lora_A.weight", path + ".lora_B.weight" })
                .Append("base_model.model.classifier.weight")
                .Append("base_model.model.classifier.bias");
            tensors.Keys.Should().BeEquivalentTo(expected);
            tensors["base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight"].shape.Should().Equal(8, 384);
            tensors["base_model.model.bert.encoder.layer.5.attention.self.value.lora_B.weight"].shape.Should().Equal(384, 8);
            tensors["base_model.model.classifier.weight"].shape.Should().Equal(2, 384);
            tensors["base_model.model.bert.encoder.layer.3.attention.self.value.lora_B.weight"].abs().max().item<float>()
                .Should().BeGreaterThan(0, "B starts at zero and must have been trained");
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }

        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(result.AdapterDirectory!, "adapter_config.json")));
        var root = config.RootElement;
        root.GetProperty("peft_type").GetString().Should().Be("LORA");
        root.GetProperty("r").GetInt32().Should().Be(8);
        root.GetProperty("lora_alpha").GetDouble().Should().Be(16);
        root.GetProperty("task_type").GetString().Should().Be("SEQ_CLS");
        root.GetProperty("base_model_name_or_path").GetString().Should().Be("sentence-transformers/all-MiniLM-L6-v2");
        root.GetProperty("modules_to_save").EnumerateArray().Select(e => e.GetString()).Should().Equal("classifier");
        root.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString())
            .Should().HaveCount(12).And.OnlyContain(t => t!.EndsWith(".attention.self.query", StringComparison.Ordinal) || t!.EndsWith(".attention.self.value", StringComparison.Ordinal));

        // The MLflow record: finished, with the comparison's metrics and the adapter as an artifact.
        var record = store.GetRun(run.RunId);
        record.LatestMetrics.Keys.Should().Contain(["test/accuracy", "trainable_params", "time/step_ms", "memory/peak_rss_mb", "train/loss"]);
        record.Params.Should().Contain("method", "Lora");
        var artifacts = store.GetArtifactDirectory(run.RunId);
        File.Exists(Path.Combine(artifacts, "adapter", "adapter_model.safetensors")).Should().BeTrue();
        File.Exists(Path.Combine(artifacts, "adapter", "adapter_config.json")).Should().BeTrue();
    }
}
