namespace PeftSharp.Models.Bert;

using System;
using System.Collections.Generic;
using System.Globalization;

/// <summary>The Hugging Face <c>BertModel</c> state-dict keys and shapes for a <see cref="BertConfig"/>, without building a model.</summary>
public static class BertCheckpointLayout
{
    /// <summary>Every parameter key of <see cref="BertModel"/> with its shape, in checkpoint order.</summary>
    public static IReadOnlyList<KeyValuePair<string, long[]>> ExpectedShapes(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long h = config.HiddenSize;
        long ffn = config.IntermediateSize;
        var shapes = new List<KeyValuePair<string, long[]>>
        {
            new("embeddings.word_embeddings.weight", [config.VocabSize, h]),
            new("embeddings.position_embeddings.weight", [config.MaxPositionEmbeddings, h]),
            new("embeddings.token_type_embeddings.weight", [config.TypeVocabSize, h]),
            new("embeddings.LayerNorm.weight", [h]),
            new("embeddings.LayerNorm.bias", [h]),
        };
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            var p = string.Create(CultureInfo.InvariantCulture, $"encoder.layer.{i}.");
            foreach (var projection in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                shapes.Add(new(p + projection + ".weight", [h, h]));
                shapes.Add(new(p + projection + ".bias", [h]));
            }

            shapes.Add(new(p + "attention.output.LayerNorm.weight", [h]));
            shapes.Add(new(p + "attention.output.LayerNorm.bias", [h]));
            shapes.Add(new(p + "intermediate.dense.weight", [ffn, h]));
            shapes.Add(new(p + "intermediate.dense.bias", [ffn]));
            shapes.Add(new(p + "output.dense.weight", [h, ffn]));
            shapes.Add(new(p + "output.dense.bias", [h]));
            shapes.Add(new(p + "output.LayerNorm.weight", [h]));
            shapes.Add(new(p + "output.LayerNorm.bias", [h]));
        }

        shapes.Add(new("pooler.dense.weight", [h, h]));
        shapes.Add(new("pooler.dense.bias", [h]));
        return shapes;
    }
}
