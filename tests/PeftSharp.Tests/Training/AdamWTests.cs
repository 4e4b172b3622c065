namespace PeftSharp.Tests.Training;

using System.IO;
using System.Linq;
using FluentAssertions;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// PeftSharp's <see cref="PeftSharp.Training.Optimization.AdamW"/> must be a drop-in for TorchSharp's AdamW: the same numbers and the same state files,
/// only without temporary Scalars in its step.
/// </summary>
public sealed class AdamWTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Steps_are_bit_for_bit_those_of_TorchSharp_AdamW(bool amsgrad, bool maximize)
    {
        using var reference = TwoLayerModel(seed: 5);
        using var safe = TwoLayerModel(seed: 5);
        using var referenceOptimizer = new TorchSharp.Modules.AdamW(Groups(reference), lr: 0.01, weight_decay: 0.1, amsgrad: amsgrad, maximize: maximize);
        using var safeOptimizer = new PeftSharp.Training.Optimization.AdamW(Groups(safe), lr: 0.01, weight_decay: 0.1, amsgrad: amsgrad, maximize: maximize);

        for (var step = 0; step < 25; step++)
        {
            using var batch = randn(16, 6, generator: new Generator((ulong)step));
            Step(reference, referenceOptimizer, batch);
            Step(safe, safeOptimizer, batch);
        }

        ParametersOf(safe).Zip(ParametersOf(reference)).Should().AllSatisfy(pair =>
            Identical(pair.First, pair.Second).Should().BeTrue("the update is the same operations in the same order"));
    }

    [Fact]
    public void State_files_are_interchangeable_with_TorchSharp_AdamW()
    {
        using var reference = TwoLayerModel(seed: 9);
        using var safe = TwoLayerModel(seed: 9);
        using var referenceOptimizer = new TorchSharp.Modules.AdamW(Groups(reference), lr: 0.01, weight_decay: 0.1);
        using var batch = randn(16, 6, generator: new Generator(3));
        for (var step = 0; step < 3; step++)
        {
            Step(reference, referenceOptimizer, batch);
        }

        var stateFile = Path.Combine(Path.GetTempPath(), $"adamw-{System.Guid.NewGuid():N}.bin");
        try
        {
            referenceOptimizer.save_state_dict(stateFile);
            using (no_grad())
            {
                foreach (var (target, source) in ParametersOf(safe).Zip(ParametersOf(reference)))
                {
                    target.copy_(source);
                }
            }

            using var safeOptimizer = new PeftSharp.Training.Optimization.AdamW(Groups(safe), lr: 0.01, weight_decay: 0.1);
            safeOptimizer.load_state_dict(stateFile);
            Step(reference, referenceOptimizer, batch);
            Step(safe, safeOptimizer, batch);
        }
        finally
        {
            File.Delete(stateFile);
        }

        ParametersOf(safe).Zip(ParametersOf(reference)).Should().AllSatisfy(pair =>
            Identical(pair.First, pair.Second).Should().BeTrue("the loaded moments and step count continue the run"));
    }

    private static Sequential TwoLayerModel(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2));
    }

    // Weights decay, biases do not: two groups, as the trainer builds them.
    private static AdamW.ParamGroup[] Groups(Sequential model) =>
    [
        new(model.named_parameters().Where(p => p.name.EndsWith("weight", System.StringComparison.Ordinal)).Select(p => p.parameter), new AdamW.Options { weight_decay = 0.1 }),
        new(model.named_parameters().Where(p => p.name.EndsWith("bias", System.StringComparison.Ordinal)).Select(p => p.parameter), new AdamW.Options { weight_decay = 0 }),
    ];

    private static bool Identical(Tensor first, Tensor second)
    {
        using var same = first.eq(second).all();
        return same.item<bool>();
    }

    private static Parameter[] ParametersOf(Sequential model) => model.parameters().ToArray();

    private static void Step(Sequential model, OptimizerHelper optimizer, Tensor batch)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        model.forward(batch).square().mean().backward();
        optimizer.step();
    }
}
