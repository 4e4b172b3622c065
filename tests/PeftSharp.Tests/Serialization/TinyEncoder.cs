namespace PeftSharp.Tests.Serialization;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>A small BERT-like block with parameters and buffers (BatchNorm's running statistics, an I64 counter).</summary>
internal sealed class TinyEncoder : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private nn.Module<Tensor, Tensor> query;
    private readonly nn.Module<Tensor, Tensor> value;
    private readonly LayerNorm norm;
    private readonly BatchNorm1d batch;
    private readonly Linear classifier;
#pragma warning restore IDE1006

    public TinyEncoder(long seed, long classes = 2)
        : base(nameof(TinyEncoder))
    {
        manual_seed(seed);
        query = nn.Linear(4, 4);
        value = nn.Linear(4, 4);
        norm = nn.LayerNorm(4);
        batch = nn.BatchNorm1d(4);
        classifier = nn.Linear(4, classes);
        RegisterComponents();
        using (no_grad())
        {
            // Distinct values everywhere, so a value loaded into the wrong key shows.
            foreach (var (_, tensor) in state_dict())
            {
                if (tensor.is_floating_point())
                {
                    tensor.copy_(randn_like(tensor));
                }
                else
                {
                    using var value = seed.ToScalar();
                    tensor.fill_(value);
                }
            }
        }
    }

    public void WrapQueryWithLora() =>
        query = PeftSharp.AdapterWiring.Wrap(this, nameof(query), query, new PeftSharp.AdapterTarget("query", PeftSharp.AdapterMethod.Lora, 2, 4, 0));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = norm.call(query.call(input) + value.call(input));
        return classifier.call(batch.call(hidden)).MoveToOuterDisposeScope();
    }
}
