namespace PeftSharp.Tests.Vision;

using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FashionResNetLora;
using FluentAssertions;
using PeftSharp.Tests.Data;
using PeftSharp.Tracking;
using PeftSharp.Training.Runner;
using Xunit;
using Xunit.Abstractions;

/// <summary>
/// CI's fast version of the experiment: LoRA on the convolutions of the pretrained ResNet-18 for a few steps on a
/// small Fashion-MNIST subset, through the runner, recorded in a temporary MLflow store.
/// </summary>
public sealed class FashionLoraSmokeTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task A_few_LoRA_steps_lower_the_loss_and_save_a_PEFT_adapter()
    {
        var reason = DebianTestData.FashionMnistUnavailable();
        Skip.If(reason is not null, reason);
        using var temp = new TempDirectory();
        var log = new StringWriter();
        var options = new FashionOptions
        {
            TrainSize = 160,
            ValidationSize = 20,
            TestSize = 100,
            BatchSize = 16,
            Epochs = 1,
            InputSize = 32,
            DataDirectory = temp.File("data"),
        };
        var result = await ExperimentRunner.TrainAsync(
            options,
            FashionExperiment.TrainAsync,
            new RunSettings { CheckpointDirectory = temp.File("checkpoints") },
            new RunnerHost { Tracking = new MlflowFileStore(temp.File("mlruns")), Output = log, HandleSignals = false });
        output.WriteLine(log.ToString());

        result.Status.Should().Be(RunStatus.Finished, result.Error);
        var losses = File.ReadAllLines(Path.Combine(result.RunDirectory!, "metrics", "train", "loss"))
            .Select(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();
        output.WriteLine($"train/loss per step: {string.Join(", ", losses.Select(l => l.ToString("F3", CultureInfo.InvariantCulture)))}");
        losses.Should().HaveCount(10);
        losses.TakeLast(3).Average().Should().BeLessThan(losses.Take(3).Average() - 0.2, "LoRA on the pretrained convolutions learns within a few steps");

        var run = result.Value!;
        run.Parameters.Trainable.Should().Be(374_434, "rank-8 LoRA on all 21 convolutions plus the 512x10 head");
        run.Parameters.TrainablePercent.Should().BeLessThan(2.5);
        run.Test.Count.Should().Be(100);
        run.Test.Accuracy.Should().BeGreaterThan(0.2, "10 classes: chance is 0.1");
        Directory.GetFiles(Path.Combine(result.RunDirectory!, "artifacts", "adapter")).Select(Path.GetFileName)
            .Should().BeEquivalentTo("adapter_config.json", "adapter_model.safetensors");
    }
}
