namespace PeftSharp.Tests.Adapters;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Third-party code that types a layer field as the sealed <see cref="Linear"/>: it cannot hold a wrapper.</summary>
internal sealed class SealedFieldModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> first;
    private readonly Linear second;

    public SealedFieldModel()
        : base(nameof(SealedFieldModel))
    {
        first = nn.Linear(4, 4);
        second = nn.Linear(4, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return second.call(first.call(input)).MoveToOuterDisposeScope();
    }
}
