namespace PeftSharp.Models.Onnx;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PeftSharp.Models.Bert;

/// <summary>
/// Maps the initializers of a BERT exported to ONNX (Hugging Face / sentence-transformers export) onto
/// <see cref="BertModel"/>'s state-dict keys.
/// </summary>
/// <remarks>
/// Biases, embeddings and LayerNorms keep their Hugging Face names in such exports; the Linear weights become
/// anonymous right-hand inputs of <c>MatMul</c> nodes stored <c>[in, out]</c>. Each is named after the bias of the
/// <c>Add</c> node that consumes the MatMul's output (<c>X.bias</c> gives <c>X.weight</c>) and transposed to
/// <c>[out, in]</c>.
/// </remarks>
public static class OnnxBertImporter
{
    /// <summary>Builds the complete state dict for <paramref name="config"/>, validating every shape.</summary>
    /// <returns>Key to (shape, row-major float32 values).</returns>
    /// <exception cref="InvalidDataException">A parameter is missing, found twice, or has the wrong shape; the message names it.</exception>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)> ImportStateDict(OnnxGraph graph, BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(config);
        var expected = BertCheckpointLayout.ExpectedShapes(config);
        var expectedNames = expected.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);

        foreach (var (name, tensor) in graph.Initializers)
        {
            if (expectedNames.Contains(name))
            {
                found[name] = ([.. tensor.Dims], tensor.ToFloatArray());
            }
        }

        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        foreach (var matMul in graph.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Count == 2 && n.Outputs.Count == 1))
        {
            if (!graph.Initializers.TryGetValue(matMul.Inputs[1], out var weight) || expectedNames.Contains(weight.Name))
            {
                continue;
            }

            var add = consumers.GetValueOrDefault(matMul.Outputs[0])?.SingleOrDefault(n => n.OpType == "Add");
            var bias = add?.Inputs.FirstOrDefault(i => i != matMul.Outputs[0]);
            if (bias is null || !bias.EndsWith(".bias", StringComparison.Ordinal) || !expectedNames.Contains(bias))
            {
                throw new InvalidDataException(
                    $"MatMul weight '{weight.Name}' feeds no Add with a known bias (got '{bias ?? "none"}'); this ONNX file is not a BERT export this importer understands.");
            }

            var key = string.Concat(bias.AsSpan(0, bias.Length - ".bias".Length), ".weight");
            if (weight.Dims.Count != 2)
            {
                throw new InvalidDataException($"MatMul weight '{weight.Name}' for '{key}' has {weight.Dims.Count} dimensions, expected 2.");
            }

            if (!found.TryAdd(key, ([weight.Dims[1], weight.Dims[0]], Transpose(weight.ToFloatArray(), (int)weight.Dims[0], (int)weight.Dims[1]))))
            {
                throw new InvalidDataException($"Two MatMul weights map to '{key}'.");
            }
        }

        var missing = expected.Where(e => !found.ContainsKey(e.Key)).Select(e => e.Key).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"The ONNX model lacks {missing.Count} parameter(s) the configuration needs, e.g. {string.Join(", ", missing.Take(5))}; check that the BertConfig matches the model.");
        }

        foreach (var (key, shape) in expected)
        {
            if (!found[key].Shape.SequenceEqual(shape))
            {
                throw new InvalidDataException(
                    $"'{key}' has shape [{string.Join(", ", found[key].Shape)}] in the ONNX model but the configuration needs [{string.Join(", ", shape)}].");
            }
        }

        return found;
    }

    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return result;
    }
}
