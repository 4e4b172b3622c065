namespace PeftSharp.Tests.Adapters;

using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A model written as third-party code would be: no attributes, no generator, fields the forward reads, a ModuleList of
/// blocks and a Sequential feed-forward. PeftModel must adapt it by name at run time.
/// </summary>
internal sealed class TinyEncoder : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> embeddings;
    private readonly ModuleList<TinyBlock> layers;
    private readonly nn.Module<Tensor, Tensor> classifier;

    public TinyEncoder(int vocabulary = 20, int hidden = 8, int blocks = 2, int classes = 3)
        : base(nameof(TinyEncoder))
    {
        embeddings = nn.Embedding(vocabulary, hidden);
        layers = new ModuleList<TinyBlock>(Enumerable.Range(0, blocks).Select(_ => new TinyBlock(hidden)).ToArray());
        classifier = nn.Linear(hidden, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = embeddings.call(input);
        foreach (var block in layers)
        {
            h = block.call(h);
        }

        return classifier.call(h.mean([1])).MoveToOuterDisposeScope();
    }
}

internal sealed class TinyBlock : nn.Module<Tensor, Tensor>
{
    private readonly TinyAttention attention;
    private readonly Sequential ffn;

    public TinyBlock(int hidden)
        : base(nameof(TinyBlock))
    {
        attention = new TinyAttention(hidden);
        ffn = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.Tanh(), nn.Linear(2 * hidden, hidden));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = input + attention.call(input);
        return (h + ffn.call(h)).MoveToOuterDisposeScope();
    }
}

internal sealed class TinyAttention : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> query;
    private readonly nn.Module<Tensor, Tensor> key;
    private readonly nn.Module<Tensor, Tensor> value;
    private readonly nn.Module<Tensor, Tensor> output;

    public TinyAttention(int hidden)
        : base(nameof(TinyAttention))
    {
        query = nn.Linear(hidden, hidden);
        key = nn.Linear(hidden, hidden);
        value = nn.Linear(hidden, hidden);
        output = nn.Linear(hidden, hidden);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scores = query.call(input).matmul(key.call(input).transpose(1, 2)).softmax(-1);
        return output.call(scores.matmul(value.call(input))).MoveToOuterDisposeScope();
    }
}
