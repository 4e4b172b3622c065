namespace PeftSharp.Tests.Models;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using FluentAssertions;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Onnx;
using Xunit;

public sealed class OnnxBertImporterTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 11,
        HiddenSize = 4,
        NumHiddenLayers = 2,
        NumAttentionHeads = 2,
        IntermediateSize = 6,
        MaxPositionEmbeddings = 8,
    };

    [Fact]
    public void Named_initializers_and_anonymous_MatMul_weights_map_onto_the_checkpoint_keys()
    {
        var (bytes, original) = SyntheticExport(Tiny);
        var state = OnnxBertImporter.ImportStateDict(OnnxGraph.Parse(bytes), Tiny);

        state.Keys.Should().BeEquivalentTo(original.Keys);
        foreach (var (key, (shape, values)) in original)
        {
            state[key].Shape.Should().Equal(shape, key);
            state[key].Values.Should().Equal(values, key);
        }
    }

    [Fact]
    public void A_configuration_that_does_not_match_the_model_is_reported_by_key()
    {
        var (bytes, _) = SyntheticExport(Tiny);
        var graph = OnnxGraph.Parse(bytes);
        var deeper = () => OnnxBertImporter.ImportStateDict(graph, Tiny with { NumHiddenLayers = 3 });
        deeper.Should().Throw<InvalidDataException>().WithMessage("*lacks*encoder.layer.2.*");
        var wider = () => OnnxBertImporter.ImportStateDict(graph, Tiny with { IntermediateSize = 8 });
        wider.Should().Throw<InvalidDataException>().WithMessage("*intermediate.dense*[6, 4]*[8, 4]*");
    }

    [Fact]
    public void Every_truncation_fails_with_InvalidDataException_never_anything_else()
    {
        var model = new ProtoWriter()
            .Varint(1, 7)
            .Message(7, new ProtoWriter()
                .Message(1, ProtoWriter.Node("MatMul", ["x", "w"], ["m"]))
                .Message(5, ProtoWriter.FloatTensor("w", [2, 3], [1, 2, 3, 4, 5, 6])))
            .ToArray();
        var graph = OnnxGraph.Parse(model);
        graph.Nodes.Should().ContainSingle().Which.OpType.Should().Be("MatMul");
        graph.Initializers["w"].ToFloatArray().Should().Equal(1, 2, 3, 4, 5, 6);

        for (var length = 0; length < model.Length; length++)
        {
            var act = () => OnnxGraph.Parse(model.AsMemory(0, length));
            act.Should().Throw<InvalidDataException>($"prefix of {length} bytes");
        }
    }

    [Fact]
    public void Lengths_past_the_end_and_wrong_data_sizes_are_named()
    {
        // Field 7 (graph) claiming 100 bytes with 2 present.
        var act = () => OnnxGraph.Parse(new byte[] { 0x3A, 100, 0x0A, 0x00 });
        act.Should().Throw<InvalidDataException>().WithMessage("*length 100 runs past the end*truncated*");

        var bad = new ProtoWriter().Message(7, new ProtoWriter().Message(5, ProtoWriter.FloatTensor("w", [2, 2], [1, 2, 3]))).ToArray();
        var read = () => OnnxGraph.Parse(bad).Initializers["w"].ToFloatArray();
        read.Should().Throw<InvalidDataException>().WithMessage("*'w' holds 3 values but its shape [2, 2] needs 4*");
    }

    /// <summary>
    /// Builds an ONNX graph laid out like the Hugging Face export: named biases/embeddings/LayerNorms, Linear weights
    /// as anonymous [in, out] MatMul inputs followed by an Add of the bias. Returns the bytes and the expected state.
    /// </summary>
    private static (byte[] Bytes, Dictionary<string, (long[] Shape, float[] Values)> State) SyntheticExport(BertConfig config)
    {
        var random = new Random(3);
        var graph = new ProtoWriter();
        var state = new Dictionary<string, (long[], float[])>();
        var anonymous = 900;
        foreach (var (key, shape) in BertCheckpointLayout.ExpectedShapes(config))
        {
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)random.NextDouble()).ToArray();
            state[key] = (shape, values);
            var isLinearWeight = key.EndsWith(".weight", StringComparison.Ordinal) && shape.Length == 2 && !key.StartsWith("embeddings.", StringComparison.Ordinal);
            if (!isLinearWeight)
            {
                graph.Message(5, ProtoWriter.FloatTensor(key, shape, values));
                continue;
            }

            var name = (anonymous++).ToString(CultureInfo.InvariantCulture);
            int rows = (int)shape[0], columns = (int)shape[1];
            var transposed = new float[values.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    transposed[(c * rows) + r] = values[(r * columns) + c];
                }
            }

            var prefix = key[..^".weight".Length];
            graph.Message(5, ProtoWriter.FloatTensor(name, [columns, rows], transposed));
            graph.Message(1, ProtoWriter.Node("MatMul", ["in_" + prefix, name], ["mm_" + prefix]));
            graph.Message(1, ProtoWriter.Node("Add", [prefix + ".bias", "mm_" + prefix], ["out_" + prefix]));
        }

        return (new ProtoWriter().Varint(1, 7).Message(7, graph).ToArray(), state);
    }
}
