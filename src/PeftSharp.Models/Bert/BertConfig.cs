namespace PeftSharp.Models.Bert;

using System;
using System.Globalization;

/// <summary>
/// Shape of a BERT encoder, with the meaning and defaults of Hugging Face's <c>BertConfig</c>. Validated on
/// construction through <see cref="Validate"/>.
/// </summary>
public sealed record BertConfig
{
    /// <summary>Vocabulary size (rows of <c>embeddings.word_embeddings.weight</c>).</summary>
    public int VocabSize { get; init; } = 30522;

    /// <summary>Width of every hidden state.</summary>
    public int HiddenSize { get; init; } = 768;

    /// <summary>Number of transformer layers (<c>encoder.layer.N</c>).</summary>
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Attention heads per layer; must divide <see cref="HiddenSize"/>.</summary>
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer (<c>intermediate.dense</c>).</summary>
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Longest sequence the position embeddings cover.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of token types (segments).</summary>
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>Epsilon of every LayerNorm.</summary>
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Dropout on embeddings and on each sub-layer output, active only in training mode.</summary>
    public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities, active only in training mode.</summary>
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>
    /// all-MiniLM-L6-v2 (sentence-transformers): 6 layers, hidden 384, 12 heads, FFN 1536, 512 positions, the
    /// bert-base-uncased vocabulary, exact GELU.
    /// </summary>
    public static BertConfig MiniLmL6V2 { get; } = new()
    {
        HiddenSize = 384,
        NumHiddenLayers = 6,
        NumAttentionHeads = 12,
        IntermediateSize = 1536,
    };

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        Positive(VocabSize, nameof(VocabSize));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(NumHiddenLayers, nameof(NumHiddenLayers));
        Positive(NumAttentionHeads, nameof(NumAttentionHeads));
        Positive(IntermediateSize, nameof(IntermediateSize));
        Positive(MaxPositionEmbeddings, nameof(MaxPositionEmbeddings));
        Positive(TypeVocabSize, nameof(TypeVocabSize));
        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"HiddenSize {HiddenSize} is not a multiple of NumAttentionHeads {NumAttentionHeads}; choose sizes where heads divide the hidden width."));
        }

        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LayerNormEps must be a positive finite number, got {LayerNormEps}."));
        }

        Probability(HiddenDropoutProb, nameof(HiddenDropoutProb));
        Probability(AttentionProbsDropoutProb, nameof(AttentionProbsDropoutProb));
    }

    /// <summary>Number of float parameters a model of this shape holds, pooler included.</summary>
    public long ParameterCount()
    {
        long h = HiddenSize;
        long embeddings = ((long)VocabSize + MaxPositionEmbeddings + TypeVocabSize) * h + 2 * h;
        long attention = 4 * (h * h + h) + 2 * h;
        long feedForward = (h * IntermediateSize) + IntermediateSize + (IntermediateSize * h) + h + 2 * h;
        long pooler = h * h + h;
        return embeddings + NumHiddenLayers * (attention + feedForward) + pooler;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be positive, got {value}."));
        }
    }

    private static void Probability(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be in [0, 1), got {value}."));
        }
    }
}
