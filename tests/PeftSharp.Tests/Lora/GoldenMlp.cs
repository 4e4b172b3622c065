namespace PeftSharp.Tests.Lora;

using TorchSharp;
using static TorchSharp.torch;

/// <summary>The reference's golden MLP: 20 -> 2000 -> 2000 -> 2, LoRA r = 8 on the first two layers, last layer trainable.</summary>
public sealed partial class GoldenMlp : nn.Module<Tensor, Tensor>
{
    [LoraTarget(rank: 8)]
    private nn.Module<Tensor, Tensor> lin0;

    [LoraTarget(rank: 8)]
    private nn.Module<Tensor, Tensor> lin1;

    [Trainable]
    private nn.Module<Tensor, Tensor> lin2;

    private readonly nn.Module<Tensor, Tensor> relu = nn.ReLU();

    public GoldenMlp()
        : base(nameof(GoldenMlp))
    {
        lin0 = nn.Linear(20, 2000);
        lin1 = nn.Linear(2000, 2000);
        lin2 = nn.Linear(2000, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return lin2.call(relu.call(lin1.call(relu.call(lin0.call(input))))).MoveToOuterDisposeScope();
    }
}
