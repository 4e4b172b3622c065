namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A BERT encoder whose state dict uses Hugging Face's <c>BertModel</c> keys (<c>embeddings.*</c>,
/// <c>encoder.layer.N.*</c>, <c>pooler.dense.*</c>), so checkpoints map one to one. <see cref="forward"/> returns
/// <c>last_hidden_state</c>; <see cref="Pool"/> gives the pooler output.
/// </summary>
/// <remarks>
/// The projections adapters target (<c>query</c>, <c>key</c>, <c>value</c>, every <c>dense</c>) are fields typed
/// <see cref="nn.Module{T, TResult}"/> holding a <see cref="TorchSharp.Modules.Linear"/>, replaceable by wrappers.
/// </remarks>
public sealed class BertModel : nn.Module<Tensor, Tensor?, Tensor>
{
    // Public so that adapter wiring generated in another assembly (PeftSharp's [LoraTargets]) can reach and replace
    // the layers; the names are the checkpoint keys.
#pragma warning disable IDE1006, SA1300, CA1051
    /// <summary>The embedding block (<c>embeddings</c>).</summary>
    public readonly BertEmbeddings embeddings;

    /// <summary>The layer stack (<c>encoder</c>).</summary>
    public readonly BertEncoder encoder;

    /// <summary>The pooler (<c>pooler</c>).</summary>
    public readonly BertPooler pooler;
#pragma warning restore IDE1006, SA1300, CA1051

    /// <summary>Creates a randomly initialised encoder of the shape <paramref name="config"/> describes.</summary>
    /// <exception cref="ArgumentException">The configuration is inconsistent (see <see cref="BertConfig.Validate"/>).</exception>
    public BertModel(BertConfig config)
        : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        pooler = new BertPooler(config);
        RegisterComponents();
    }

    /// <summary>The shape this model was built with.</summary>
    public BertConfig Config { get; }

    /// <summary>Encodes <paramref name="inputIds"/> with segment 0 everywhere.</summary>
    /// <param name="inputIds">Token ids, int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">1 for real tokens and 0 for padding, <c>[batch, seq]</c> (any integer, bool or
    /// float type), or null when nothing is padded.</param>
    /// <returns><c>last_hidden_state</c>, <c>[batch, seq, hidden]</c>.</returns>
    public override Tensor forward(Tensor inputIds, Tensor? attentionMask) => Encode(inputIds, attentionMask, null);

    /// <summary>Encodes <paramref name="inputIds"/>.</summary>
    /// <param name="inputIds">Token ids, int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">1 for real tokens and 0 for padding, <c>[batch, seq]</c>, or null.</param>
    /// <param name="tokenTypeIds">Segment ids, int64 <c>[batch, seq]</c>, or null for all zeros.</param>
    /// <returns><c>last_hidden_state</c>, <c>[batch, seq, hidden]</c>.</returns>
    public Tensor Encode(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"input_ids must be [batch, seq]; got {inputIds.dim()} dimensions.", nameof(inputIds));
        }

        CheckSameShape(inputIds, attentionMask, nameof(attentionMask));
        CheckSameShape(inputIds, tokenTypeIds, nameof(tokenTypeIds));
        using var scope = NewDisposeScope();

        // A boolean mask (true = attend) broadcast over heads and queries: padded keys get no weight.
        var keyMask = attentionMask is null ? null : attentionMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(2);
        var hidden = embeddings.call(inputIds, tokenTypeIds);
        return encoder.call(hidden, keyMask).MoveToOuterDisposeScope();
    }

    /// <summary>BERT's pooled output, <c>tanh(pooler.dense(h[:, 0]))</c>, from <c>last_hidden_state</c>.</summary>
    public Tensor Pool(Tensor lastHiddenState) => pooler.call(lastHiddenState);

    private static void CheckSameShape(Tensor inputIds, Tensor? other, string name)
    {
        if (other is not null && !other.shape.AsSpan().SequenceEqual(inputIds.shape))
        {
            throw new ArgumentException(
                $"{name} has shape [{string.Join(", ", other.shape)}] but input_ids has [{string.Join(", ", inputIds.shape)}]; they must match.",
                name);
        }
    }
}
