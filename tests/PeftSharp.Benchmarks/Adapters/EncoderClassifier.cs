namespace PeftSharp.Benchmarks.Adapters;

using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>A stack of <see cref="EncoderBlock"/>s and a classification head on the first token, like BERT for sequence classification.</summary>
internal sealed class EncoderClassifier : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly ModuleList<EncoderBlock> layers;
    private readonly Linear classifier;
#pragma warning restore IDE1006

    public EncoderClassifier(int layerCount, int hidden, int heads, int feedForward, int classes, double dropoutRate)
        : base(nameof(EncoderClassifier))
    {
        layers = nn.ModuleList(Enumerable.Range(0, layerCount).Select(_ => new EncoderBlock(hidden, heads, feedForward, dropoutRate)).ToArray());
        classifier = nn.Linear(hidden, classes);
        RegisterComponents();
    }

    /// <summary>LoRA on every layer's query and value; then everything but the adapters and the head is frozen.</summary>
    public void ApplyLora(int rank, double alpha)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            layers[i].ApplyLora($"layers.{i}", rank, alpha);
        }

        AdapterWiring.Freeze(this, [nameof(classifier)]);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = input;
        foreach (var layer in layers)
        {
            hidden = layer.forward(hidden);
        }

        return classifier.forward(hidden.select(1, 0)).MoveToOuterDisposeScope();
    }
}
