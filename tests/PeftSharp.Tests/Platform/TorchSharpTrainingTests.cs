namespace PeftSharp.Tests.Platform;

using FluentAssertions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// Proves that this test process loads the native TorchSharp shim and LibTorch and can train: on Debian 12 this
/// only works because the build marked the shim's GLIBCXX_3.4.32 need weak (build/LibTorch.targets).
/// </summary>
public sealed class TorchSharpTrainingTests
{
    [Fact]
    public void ALinearModelLearnsYEquals2xPlus1()
    {
        manual_seed(7);
        using var scope = NewDisposeScope();
        using var model = nn.Linear(1, 1);
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.1);
        Tensor x = linspace(-1, 1, 64).reshape(64, 1);
        Tensor y = (2 * x) + 1;

        double loss = double.NaN;
        for (int step = 0; step < 200; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor current = nn.functional.mse_loss(model.forward(x), y);
            current.backward();
            optimizer.step();
            loss = current.item<float>();
        }

        loss.Should().BeLessThan(1e-4, "200 SGD steps fit a noiseless line");
        model.weight!.item<float>().Should().BeApproximately(2f, 0.02f);
        model.bias!.item<float>().Should().BeApproximately(1f, 0.02f);
    }
}
