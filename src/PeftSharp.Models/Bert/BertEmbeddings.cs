namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

/// <summary>
/// <c>embeddings</c>: word + position + token-type embeddings, then LayerNorm and dropout (Hugging Face
/// <c>BertEmbeddings</c>; absolute positions starting at 0).
/// </summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor?, Tensor>
{
    // Field names are state-dict keys and follow Hugging Face's checkpoint layout.
#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
#pragma warning restore IDE1006, SA1300
    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;
    private readonly int maxPositions;

    /// <summary>Creates randomly initialised embeddings of the shape <paramref name="config"/> describes.</summary>
    public BertEmbeddings(BertConfig config)
        : base(nameof(BertEmbeddings))
    {
        ArgumentNullException.ThrowIfNull(config);
        word_embeddings = nn.Embedding(config.VocabSize, config.HiddenSize);
        position_embeddings = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = nn.Embedding(config.TypeVocabSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        maxPositions = config.MaxPositionEmbeddings;
        RegisterComponents();
    }

    /// <summary>Embeds token ids <c>[batch, seq]</c> (int64) into <c>[batch, seq, hidden]</c>.</summary>
    /// <param name="inputIds">Token ids, int64 <c>[batch, seq]</c>.</param>
    /// <param name="tokenTypeIds">Segment ids of the same shape, or null for all zeros.</param>
    public override Tensor forward(Tensor inputIds, Tensor? tokenTypeIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        var seq = inputIds.shape[^1];
        if (seq > maxPositions)
        {
            throw new ArgumentException($"Sequence length {seq} exceeds the model's {maxPositions} positions; truncate the input.", nameof(inputIds));
        }

        using var scope = NewDisposeScope();
        using var length = seq.ToScalar();
        var positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        var types = tokenTypeIds ?? zeros_like(inputIds);
        var sum = word_embeddings.call(inputIds) + position_embeddings.call(positions) + token_type_embeddings.call(types);
        return dropout.call(layerNorm.call(sum)).MoveToOuterDisposeScope();
    }
}
