namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>attention.self</c>: multi-head scaled dot-product attention. <c>query</c>, <c>key</c> and <c>value</c> are public fields typed
/// <see cref="nn.Module{T, TResult}"/> so adapter wrappers (LoRA and others) can replace them.
/// </summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
// Public and not readonly so that adapter wiring generated in another assembly can replace them; the names are
    // the checkpoint keys.
#pragma warning disable IDE1006, SA1300, CA1051
    /// <summary>The query projection (<c>query</c>), possibly an adapter wrapper.</summary>
    public nn.Module<Tensor, Tensor> query;

    /// <summary>The key projection (<c>key</c>), possibly an adapter wrapper.</summary>
    public nn.Module<Tensor, Tensor> key;

    /// <summary>The value projection (<c>value</c>), possibly an adapter wrapper.</summary>
    public nn.Module<Tensor, Tensor> value;
#pragma warning restore IDE1006, SA1300, CA1051

    private readonly int heads;
    private readonly int headSize;
    private readonly double dropoutProb;

    /// <summary>Creates randomly initialised projections of the shape <paramref name="config"/> describes.</summary>
    public BertSelfAttention(BertConfig config)
        : base(nameof(BertSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(config.HiddenSize, config.HiddenSize);
        value = nn.Linear(config.HiddenSize, config.HiddenSize);
        heads = config.NumAttentionHeads;
        headSize = config.HeadSize;
        dropoutProb = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <summary>Attends over <paramref name="hidden"/> <c>[batch, seq, hidden]</c>.</summary>
    /// <param name="hidden">Input states.</param>
    /// <param name="keyMask">Boolean <c>[batch, 1, 1, seq]</c>, true where a key takes part; null attends to all.</param>
    public override Tensor forward(Tensor hidden, Tensor? keyMask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        using var scope = NewDisposeScope();
        var batch = hidden.shape[0];
        var seq = hidden.shape[1];
        Tensor Heads(Tensor x) => x.view(batch, seq, heads, headSize).transpose(1, 2);
        var q = Heads(query.call(hidden));
        var k = Heads(key.call(hidden));
        var v = Heads(value.call(hidden));

        // SDPA scales by 1/sqrt(headSize) like BERT; dropout on the probabilities only while training.
        var context = nn.functional.scaled_dot_product_attention(q, k, v, keyMask, training ? dropoutProb : 0.0);
        return context.transpose(1, 2).reshape(batch, seq, heads * headSize).MoveToOuterDisposeScope();
    }
}
