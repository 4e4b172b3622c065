namespace PeftSharp.Models.Vision;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PeftSharp.Models.Onnx;

/// <summary>
/// Maps a CNTK ResNet exported to ONNX (ML.NET's image featurizers) and its preprocessing graph onto
/// <see cref="CntkResNet"/>'s state-dict keys.
/// </summary>
/// <remarks>
/// The export names its weights opaquely (<c>Parameter91</c>, <c>Constant98</c>), and a downsampling block lists its
/// shortcut before its main path, so names and plain node order say nothing. The importer follows the data flow from
/// the stem instead: each block is the pair of 3x3 convolutions that starts at the previous block's output and ends in
/// the residual <c>Add</c>, whose other input is either that output (identity) or a 1x1 convolution of it. Every
/// convolution's kernel, stride and padding, and every BatchNorm's epsilon, is checked against what
/// <see cref="CntkResNet"/> computes, so a graph it would compute differently is refused rather than imported.
/// </remarks>
public static class OnnxResNetImporter
{
    /// <summary>ONNX pads [top, left, bottom, right] of the 7x7 stem: CNTK pads one less at the bottom and right.</summary>
    private static readonly long[] StemPads = [3, 3, 2, 2];

    /// <summary>CNTK pads stride-2 3x3 convolutions and the 3x3 max-pool on the top and left only.</summary>
    private static readonly long[] TopLeftPads = [1, 1, 0, 0];

    private static readonly long[] SamePads = [1, 1, 1, 1];
    private static readonly long[] NoPads = [0, 0, 0, 0];

    /// <summary>Builds the complete state dict for <paramref name="config"/>, validating the graph's structure and every shape.</summary>
    /// <param name="model">The network (e.g. ResNet18.onnx).</param>
    /// <param name="preprocessing">The preprocessing graph (ResNetPreprocess.onnx): RGB split, BGR concat, minus MeanImage.</param>
    /// <param name="config">The expected shape.</param>
    /// <returns>Key to (shape, row-major float32 values).</returns>
    /// <exception cref="InvalidDataException">The graphs are not a CNTK ResNet of this shape; the message names the node or tensor.</exception>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)> ImportStateDict(OnnxGraph model, OnnxGraph preprocessing, ResNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var walker = new GraphWalker(model, config.BatchNormEpsilon);
        var state = new Dictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);

        var stem = model.Nodes.FirstOrDefault(n => n.OpType == "Conv")
            ?? throw new InvalidDataException("The ONNX model has no Conv node: it is not a ResNet.");
        walker.ReadConv(stem, "conv1", [7, 7], 2, StemPads, state);
        var x = walker.Single(walker.ReadBatchNorm(stem, "bn1", state), "Relu").Outputs[0];
        var pool = walker.Single(x, "MaxPool");
        walker.CheckWindow(pool, [3, 3], 2, TopLeftPads);
        x = pool.Outputs[0];

        for (var s = 0; s < config.BlocksPerStage.Count; s++)
        {
            for (var b = 0; b < config.BlocksPerStage[s]; b++)
            {
                x = ReadBlock(walker, x, ResNetCheckpointLayout.BlockPrefix(s, b), downsamples: s > 0 && b == 0, state, config);
            }
        }

        var head = walker.Consumers(x);
        if (head.Count != 1 || head[0].OpType is not ("AveragePool" or "GlobalAveragePool"))
        {
            throw new InvalidDataException(
                $"After the {config.BlocksPerStage.Sum()} blocks of [{string.Join(", ", config.BlocksPerStage)}] the graph continues with "
                + $"{string.Join(", ", head.Select(n => n.Describe()))} instead of the average pool: the model has another number of blocks per stage.");
        }

        state[ResNetCheckpointLayout.MeanImageKey] = ReadMeanImage(preprocessing);
        Validate(state, config);
        return state;
    }

    private static string ReadBlock(
        GraphWalker walker, string input, string prefix, bool downsamples, Dictionary<string, (long[] Shape, float[] Values)> state, ResNetConfig config)
    {
        var convs = walker.Consumers(input).Where(n => n.OpType == "Conv").ToList();
        var first = convs.Where(c => GraphWalker.Kernel(c).SequenceEqual([3L, 3L])).ToList();
        var shortcut = convs.Where(c => GraphWalker.Kernel(c).SequenceEqual([1L, 1L])).ToList();
        if (first.Count != 1 || shortcut.Count != (downsamples ? 1 : 0) || convs.Count != first.Count + shortcut.Count)
        {
            throw new InvalidDataException(
                $"Block '{prefix.TrimEnd('.')}' should start with one 3x3 convolution{(downsamples ? " and one 1x1 shortcut convolution" : string.Empty)} "
                + $"reading '{input}', but the graph has: {(convs.Count == 0 ? "none" : string.Join("; ", convs.Select(c => c.Describe())))}. "
                + $"The model's blocks per stage differ from [{string.Join(", ", config.BlocksPerStage)}] or it is not a basic-block ResNet.");
        }

        var stride = downsamples ? 2 : 1;
        walker.ReadConv(first[0], prefix + "conv1", [3, 3], stride, downsamples ? TopLeftPads : SamePads, state);
        var relu = walker.Single(walker.ReadBatchNorm(first[0], prefix + "bn1", state), "Relu");
        var second = walker.Single(relu.Outputs[0], "Conv");
        walker.ReadConv(second, prefix + "conv2", [3, 3], 1, SamePads, state);
        var residual = walker.ReadBatchNorm(second, prefix + "bn2", state);
        var add = walker.Single(residual, "Add");
        var expectedShortcut = input;
        if (downsamples)
        {
            walker.ReadConv(shortcut[0], prefix + "downsample.0", [1, 1], 2, NoPads, state);
            expectedShortcut = walker.ReadBatchNorm(shortcut[0], prefix + "downsample.1", state);
        }

        if (add.Inputs.Count != 2 || !add.Inputs.Contains(residual) || !add.Inputs.Contains(expectedShortcut))
        {
            throw new InvalidDataException($"The residual {add.Describe()} of block '{prefix.TrimEnd('.')}' should add '{residual}' and '{expectedShortcut}'.");
        }

        return walker.Single(add.Outputs[0], "Relu").Outputs[0];
    }

    private static (long[] Shape, float[] Values) ReadMeanImage(OnnxGraph preprocessing)
    {
        // ResNetPreprocess.onnx: Split(RGB) -> Concat(B, G, R) -> Sub(MeanImage). Check the order really is reversed.
        var split = preprocessing.Nodes.SingleOrDefault(n => n.OpType == "Split");
        var concat = preprocessing.Nodes.SingleOrDefault(n => n.OpType == "Concat");
        var sub = preprocessing.Nodes.SingleOrDefault(n => n.OpType == "Sub");
        if (split is null || concat is null || sub is null || split.Outputs.Count != 3
            || split.IntOr("axis", 0) != 1 || concat.IntOr("axis", 0) != 1
            || !concat.Inputs.SequenceEqual(split.Outputs.Reverse()) || sub.Inputs.Count != 2 || sub.Inputs[0] != concat.Outputs[0])
        {
            throw new InvalidDataException(
                "The preprocessing graph is not Split(RGB along channels) -> Concat(B, G, R) -> Sub(mean image); it is not ML.NET's ResNetPreprocess.onnx.");
        }

        if (!preprocessing.Initializers.TryGetValue(sub.Inputs[1], out var mean))
        {
            throw new InvalidDataException($"The preprocessing Sub subtracts '{sub.Inputs[1]}', which is not a stored tensor.");
        }

        return ([.. mean.Dims], mean.ToFloatArray());
    }

    private static void Validate(Dictionary<string, (long[] Shape, float[] Values)> state, ResNetConfig config)
    {
        foreach (var (key, shape) in ResNetCheckpointLayout.ExpectedShapes(config))
        {
            if (!state.TryGetValue(key, out var found))
            {
                throw new InvalidDataException($"The ONNX model provides no '{key}'.");
            }

            if (!found.Shape.SequenceEqual(shape))
            {
                throw new InvalidDataException(
                    $"'{key}' has shape [{string.Join(", ", found.Shape)}] in the ONNX model but the configuration needs [{string.Join(", ", shape)}].");
            }
        }
    }

    /// <summary>Follows values through the graph and reads the initializers of the nodes it visits.</summary>
    private sealed class GraphWalker
    {
        private readonly OnnxGraph graph;
        private readonly double epsilon;
        private readonly Dictionary<string, List<OnnxNode>> consumers = new(StringComparer.Ordinal);
        private readonly HashSet<string> taken = new(StringComparer.Ordinal);

        public GraphWalker(OnnxGraph graph, double epsilon)
        {
            this.graph = graph;
            this.epsilon = epsilon;
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
        }

        public List<OnnxNode> Consumers(string value) => consumers.GetValueOrDefault(value) ?? [];

        /// <summary>The only node reading <paramref name="value"/>, which must be a <paramref name="opType"/>.</summary>
        public OnnxNode Single(string value, string opType)
        {
            var readers = Consumers(value);
            if (readers.Count != 1 || readers[0].OpType != opType)
            {
                throw new InvalidDataException(
                    $"'{value}' should be read by one {opType} node, but is read by: {(readers.Count == 0 ? "nothing" : string.Join("; ", readers.Select(n => n.Describe())))}.");
            }

            return readers[0];
        }

        public static IReadOnlyList<long> Kernel(OnnxNode conv) => conv.IntsOr("kernel_shape", []);

        /// <summary>Checks a Conv's geometry and stores its weight (the second input) under <paramref name="key"/>.weight.</summary>
        public void ReadConv(OnnxNode conv, string key, long[] kernel, long stride, long[] pads, Dictionary<string, (long[] Shape, float[] Values)> state)
        {
            if (conv.Inputs.Count != 2)
            {
                throw new InvalidDataException($"'{key}' ({conv.Describe()}) has {conv.Inputs.Count} inputs; a bias-free convolution has 2.");
            }

            if (conv.IntOr("group", 1) != 1 || conv.IntsOr("dilations", [1, 1]).Any(d => d != 1))
            {
                throw new InvalidDataException($"'{key}' ({conv.Describe()}) is grouped or dilated, which {nameof(CntkResNet)} does not compute.");
            }

            CheckWindow(conv, kernel, stride, pads);
            state[key + ".weight"] = Take(conv.Inputs[1], key + ".weight");
        }

        /// <summary>Checks kernel, strides and explicit pads of a Conv or pooling node.</summary>
        public void CheckWindow(OnnxNode node, long[] kernel, long stride, long[] pads)
        {
            var autoPad = node.Attributes.TryGetValue("auto_pad", out var a) ? a.TextValue : null;
            if (!node.IntsOr("kernel_shape", []).SequenceEqual(kernel)
                || !node.IntsOr("strides", [1, 1]).SequenceEqual([stride, stride])
                || !node.IntsOr("pads", NoPads).SequenceEqual(pads)
                || autoPad is not (null or "NOTSET"))
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{node.Describe()} should have kernel [{string.Join(", ", kernel)}], stride {stride} and pads [{string.Join(", ", pads)}] (CNTK's padding, which {nameof(CntkResNet)} reproduces)."));
            }
        }

        /// <summary>Reads the BatchNormalization that follows <paramref name="conv"/> into <paramref name="key"/>.*; returns its output.</summary>
        public string ReadBatchNorm(OnnxNode conv, string key, Dictionary<string, (long[] Shape, float[] Values)> state)
        {
            var norm = Single(conv.Outputs[0], "BatchNormalization");
            if (norm.Inputs.Count != 5)
            {
                throw new InvalidDataException($"'{key}' ({norm.Describe()}) should have 5 inputs (x, scale, bias, mean, variance).");
            }

            var eps = norm.FloatOr("epsilon", 1e-5f);
            if (Math.Abs(eps - epsilon) > epsilon * 1e-3 || norm.IntOr("spatial", 1) != 1)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture, $"'{key}' ({norm.Describe()}) should be a spatial BatchNorm with epsilon {epsilon}."));
            }

            for (var i = 0; i < ResNetCheckpointLayout.BatchNormTensors.Count; i++)
            {
                var name = $"{key}.{ResNetCheckpointLayout.BatchNormTensors[i]}";
                state[name] = Take(norm.Inputs[i + 1], name);
            }

            return norm.Outputs[0];
        }

        private (long[] Shape, float[] Values) Take(string initializer, string key)
        {
            if (!graph.Initializers.TryGetValue(initializer, out var tensor))
            {
                throw new InvalidDataException($"'{key}' should be the stored tensor '{initializer}', but the graph has no initializer of that name.");
            }

            if (!taken.Add(initializer))
            {
                throw new InvalidDataException($"The stored tensor '{initializer}' is used twice (again for '{key}').");
            }

            return ([.. tensor.Dims], tensor.ToFloatArray());
        }
    }
}
