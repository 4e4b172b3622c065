namespace CreditRiskLora;

using PeftSharp;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A credit-risk scorer over the harmonised inputs (standardised values and missing indicators): two hidden ReLU
/// layers and a two-class head (good, bad). The attributes declare the adaptation: LoRA on both hidden layers, the
/// head fully trainable; the source generator writes <c>ApplyAdapters()</c> from them.
/// </summary>
public sealed partial class CreditRiskClassifier : nn.Module<Tensor, Tensor>
{
    // Fields that adapters wrap are typed Module<Tensor, Tensor>: TorchSharp's Linear is sealed.
#pragma warning disable IDE1006 // snake_case field names are the state-dict keys
    [LoraTarget(rank: 4, Alpha = 8)]
    private nn.Module<Tensor, Tensor> hidden1;

    [LoraTarget(rank: 4, Alpha = 8)]
    private nn.Module<Tensor, Tensor> hidden2;

    [Trainable]
    private nn.Module<Tensor, Tensor> classifier;

    private readonly nn.Module<Tensor, Tensor> activation = nn.ReLU();
    private readonly nn.Module<Tensor, Tensor> dropout;
#pragma warning restore IDE1006

    /// <summary>Creates the scorer for <paramref name="inputs"/> inputs.</summary>
    public CreditRiskClassifier(int inputs, int hiddenSize, double dropoutRate)
        : base(nameof(CreditRiskClassifier))
    {
        hidden1 = nn.Linear(inputs, hiddenSize);
        hidden2 = nn.Linear(hiddenSize, hiddenSize);
        classifier = nn.Linear(hiddenSize, 2);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    /// <summary>Logits [rows, 2]: index 1 is "bad".</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = dropout.call(activation.call(hidden1.call(input)));
        hidden = dropout.call(activation.call(hidden2.call(hidden)));
        return classifier.call(hidden).MoveToOuterDisposeScope();
    }
}
