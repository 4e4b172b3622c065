namespace PeftSharp.Tests.Generated;

using PeftSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Class-level LoRA on layers inside a ModuleList of partial blocks, field-level IA3, a trainable head.</summary>
[LoraTargets("query", "value", Rank = 2, Alpha = 4)]
public sealed partial class NestedEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<AttentionBlock> layers;
    [IA3Target(FeedForward = true)] private nn.Module<Tensor, Tensor> ffn;
    [Trainable] private nn.Module<Tensor, Tensor> head;

    public NestedEncoder()
        : base(nameof(NestedEncoder))
    {
        layers = new ModuleList<AttentionBlock>(new AttentionBlock(), new AttentionBlock());
        ffn = nn.Linear(6, 6);
        head = nn.Linear(6, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in layers)
        {
            x = layer.call(x);
        }

        return head.call(ffn.call(x)).MoveToOuterDisposeScope();
    }
}
