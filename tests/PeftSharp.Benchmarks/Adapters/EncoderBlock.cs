namespace PeftSharp.Benchmarks.Adapters;

using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A BERT encoder layer (post-norm): self-attention with query/key/value/output projections, then a GELU feed-forward
/// block, each with dropout, a residual connection and LayerNorm. The projections are typed
/// <c>Module&lt;Tensor, Tensor&gt;</c> so adapters can wrap them.
/// </summary>
internal sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly int heads;
#pragma warning disable IDE1006 // field names are state-dict keys
    private nn.Module<Tensor, Tensor> query;
    private readonly nn.Module<Tensor, Tensor> key;
    private nn.Module<Tensor, Tensor> value;
    private readonly nn.Module<Tensor, Tensor> output;
    private readonly nn.Module<Tensor, Tensor> intermediate;
    private readonly nn.Module<Tensor, Tensor> ffn_output;
    private readonly LayerNorm attention_norm;
    private readonly LayerNorm output_norm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    public EncoderBlock(int hidden, int heads, int feedForward, double dropoutRate)
        : base(nameof(EncoderBlock))
    {
        if (hidden % heads != 0)
        {
            throw new ArgumentException($"hidden ({hidden}) must be a multiple of heads ({heads}).");
        }

        this.heads = heads;
        query = nn.Linear(hidden, hidden);
        key = nn.Linear(hidden, hidden);
        value = nn.Linear(hidden, hidden);
        output = nn.Linear(hidden, hidden);
        intermediate = nn.Linear(hidden, feedForward);
        ffn_output = nn.Linear(feedForward, hidden);
        attention_norm = nn.LayerNorm(hidden, eps: 1e-12);
        output_norm = nn.LayerNorm(hidden, eps: 1e-12);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    /// <summary>Wraps query and value with LoRA adapters, the reference's default targets for BERT.</summary>
    public void ApplyLora(string path, int rank, double alpha)
    {
        query = AdapterWiring.Wrap(this, nameof(query), query, new AdapterTarget($"{path}.query", AdapterMethod.Lora, rank, alpha, 0));
        value = AdapterWiring.Wrap(this, nameof(value), value, new AdapterTarget($"{path}.value", AdapterMethod.Lora, rank, alpha, 0));
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (batch, length, hidden) = (input.shape[0], input.shape[1], input.shape[2]);
        Tensor Split(Tensor t) => t.view(batch, length, heads, hidden / heads).transpose(1, 2);
        var context = nn.functional.scaled_dot_product_attention(
            Split(query.forward(input)), Split(key.forward(input)), Split(value.forward(input)));
        var merged = context.transpose(1, 2).reshape(batch, length, hidden);
        var attended = attention_norm.forward(input + dropout.forward(output.forward(merged)));
        var fed = ffn_output.forward(nn.functional.gelu(intermediate.forward(attended)));
        return output_norm.forward(attended + dropout.forward(fed)).MoveToOuterDisposeScope();
    }
}
