namespace BreastCancerLora;

using PeftSharp;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A two-hidden-layer tumour classifier. The attributes declare the fine-tuning: LoRA on both hidden layers, the
/// classification head fully trainable; the source generator writes <c>ApplyAdapters()</c> from them.
/// </summary>
public sealed partial class TumourClassifier : nn.Module<Tensor, Tensor>
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
#pragma warning restore IDE1006

    /// <summary>Creates the classifier for <paramref name="features"/> inputs and <paramref name="classes"/> outputs.</summary>
    public TumourClassifier(int features, int hiddenSize, int classes)
        : base(nameof(TumourClassifier))
    {
        hidden1 = nn.Linear(features, hiddenSize);
        hidden2 = nn.Linear(hiddenSize, hiddenSize);
        classifier = nn.Linear(hiddenSize, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = activation.call(hidden1.call(input));
        hidden = activation.call(hidden2.call(hidden));
        return classifier.call(hidden).MoveToOuterDisposeScope();
    }
}
