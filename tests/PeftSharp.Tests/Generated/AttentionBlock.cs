namespace PeftSharp.Tests.Generated;

using static TorchSharp.torch;

/// <summary>A child module with private layers; partial so the generator can add accessors for class-level targets.</summary>
public sealed partial class AttentionBlock : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> query;
    private nn.Module<Tensor, Tensor> value;
    private nn.Module<Tensor, Tensor> output;

    public AttentionBlock()
        : base(nameof(AttentionBlock))
    {
        query = nn.Linear(6, 6);
        value = nn.Linear(6, 6);
        output = nn.Linear(6, 6);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return output.call(query.call(input) + value.call(input)).MoveToOuterDisposeScope();
    }
}
