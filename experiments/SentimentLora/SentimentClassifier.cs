namespace SentimentLora;

using System;
using PeftSharp;
using PeftSharp.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A review classifier: the pretrained BERT encoder (<c>bert</c>), mean pooling over the real tokens (how
/// all-MiniLM-L6-v2 makes sentence embeddings), dropout and a linear head (<c>classifier</c>). Parameter names follow
/// Hugging Face's <c>BertForSequenceClassification</c> (<c>bert.encoder.layer.N...</c>, <c>classifier.weight</c>).
/// The attributes declare the LoRA fine-tuning: rank 8 on every layer's attention query and value, the head fully
/// trainable; the source generator writes <c>ApplyAdapters()</c> and the adapter plan from them.
/// </summary>
[LoraTargets("query", "value", Rank = 8, Alpha = 16, Dropout = 0.1)]
public sealed partial class SentimentClassifier : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // snake_case field names are the state-dict keys
    private readonly BertModel bert;

    [Trainable]
    private nn.Module<Tensor, Tensor> classifier;

    private readonly nn.Module<Tensor, Tensor> dropout;
#pragma warning restore IDE1006

    /// <summary>Puts a fresh head of <paramref name="classes"/> outputs on <paramref name="encoder"/> (which this model then owns).</summary>
    /// <param name="encoder">The encoder, usually pretrained (<see cref="PeftSharp.Models.MiniLm.MiniLmL6V2.Load"/>).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="dropoutProbability">Dropout on the pooled embedding while training.</param>
    public SentimentClassifier(BertModel encoder, int classes = 2, double dropoutProbability = 0.1)
        : base(nameof(SentimentClassifier))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        bert = encoder;
        classifier = nn.Linear(encoder.Config.HiddenSize, classes);
        dropout = nn.Dropout(dropoutProbability);
        RegisterComponents();
    }

    /// <summary>The encoder (<c>bert</c>).</summary>
    public BertModel Bert => bert;

    /// <summary>Class logits <c>[batch, classes]</c> of token ids and attention mask, both <c>[batch, seq]</c>.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var hidden = bert.call(inputIds, attentionMask);
        var pooled = SentencePooling.MeanPool(hidden, attentionMask);
        return classifier.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }
}
