namespace PeftSharp.Models.Onnx;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

/// <summary>
/// The parts of an ONNX model needed to import weights: the graph's nodes and its initializers. Read with
/// <see cref="Parse"/>, a small validating protobuf reader (no ONNX runtime or code generation involved).
/// </summary>
public sealed class OnnxGraph
{
    // Field numbers from onnx.proto: ModelProto.graph; GraphProto.node/initializer; NodeProto.input/output/name/op_type/attribute;
    // AttributeProto.name/f/i/s/floats/ints;
    // TensorProto.dims/data_type/float_data/name/raw_data/data_location.
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeName = 3;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeFloat = 2;
    private const int AttributeInt = 3;
    private const int AttributeString = 4;
    private const int AttributeFloats = 7;
    private const int AttributeInts = 8;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorDataLocation = 14;

    private OnnxGraph(IReadOnlyList<OnnxNode> nodes, IReadOnlyDictionary<string, OnnxTensor> initializers)
    {
        Nodes = nodes;
        Initializers = initializers;
    }

    /// <summary>The operators in file order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>The initializers by name.</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    /// <summary>Parses a serialized <c>ModelProto</c>. Tensor data is referenced, not copied: keep <paramref name="model"/> alive.</summary>
    /// <exception cref="InvalidDataException">The bytes are truncated, malformed, lack a graph, or use external data.</exception>
    public static OnnxGraph Parse(ReadOnlyMemory<byte> model)
    {
        var reader = new ProtoReader(model, "model");
        ReadOnlyMemory<byte>? graph = null;
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == ModelGraph)
            {
                reader.Expect(wire, WireType.LengthDelimited, field);
                graph = reader.ReadBytes();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        if (graph is null)
        {
            throw new InvalidDataException("The ONNX model has no graph (ModelProto field 7): the file is not an ONNX model or is truncated.");
        }

        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var graphReader = new ProtoReader(graph.Value, "graph");
        while (graphReader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case GraphNode:
                    graphReader.Expect(wire, WireType.LengthDelimited, field);
                    nodes.Add(ReadNode(graphReader.ReadBytes()));
                    break;
                case GraphInitializer:
                    graphReader.Expect(wire, WireType.LengthDelimited, field);
                    var tensor = ReadTensor(graphReader.ReadBytes());
                    if (!initializers.TryAdd(tensor.Name, tensor))
                    {
                        throw new InvalidDataException($"The ONNX graph has two initializers named '{tensor.Name}'.");
                    }

                    break;
                default:
                    graphReader.Skip(wire);
                    break;
            }
        }

        return new OnnxGraph(nodes, initializers);
    }

    private static OnnxNode ReadNode(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "node");
        var inputs = new List<string>();
        var outputs = new List<string>();
        var name = string.Empty;
        var opType = string.Empty;
        var attributes = new Dictionary<string, OnnxAttributeValue>(StringComparer.Ordinal);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case NodeAttribute:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var attribute = ReadAttribute(reader.ReadBytes());
                    if (!attributes.TryAdd(attribute.Name, attribute))
                    {
                        throw new InvalidDataException($"ONNX node '{name}' has two attributes named '{attribute.Name}'.");
                    }

                    break;
                case NodeInput:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    inputs.Add(reader.ReadString());
                    break;
                case NodeOutput:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    outputs.Add(reader.ReadString());
                    break;
                case NodeName:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case NodeOpType:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    opType = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (opType.Length == 0)
        {
            throw new InvalidDataException($"ONNX node '{name}' has no op_type.");
        }

        return new OnnxNode(name, opType, inputs, outputs) { Attributes = attributes };
    }

    private static OnnxAttributeValue ReadAttribute(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "attribute");
        var name = string.Empty;
        float? single = null;
        long? integer = null;
        string? text = null;
        var floats = new List<float>();
        var ints = new List<long>();
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case AttributeName:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case AttributeFloat:
                    reader.Expect(wire, WireType.Fixed32, field);
                    single = BitConverter.UInt32BitsToSingle(reader.ReadFixed32());
                    break;
                case AttributeInt:
                    reader.Expect(wire, WireType.Varint, field);
                    integer = reader.ReadInt64();
                    break;
                case AttributeString:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    text = reader.ReadString();
                    break;
                case AttributeFloats when wire == WireType.Fixed32:
                    floats.Add(BitConverter.UInt32BitsToSingle(reader.ReadFixed32()));
                    break;
                case AttributeFloats:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var packedFloats = new ProtoReader(reader.ReadBytes(), "attribute floats");
                    while (!packedFloats.AtEnd)
                    {
                        floats.Add(BitConverter.UInt32BitsToSingle(packedFloats.ReadFixed32()));
                    }

                    break;
                case AttributeInts when wire == WireType.Varint:
                    ints.Add(reader.ReadInt64());
                    break;
                case AttributeInts:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var packedInts = new ProtoReader(reader.ReadBytes(), "attribute ints");
                    while (!packedInts.AtEnd)
                    {
                        ints.Add(packedInts.ReadInt64());
                    }

                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (name.Length == 0)
        {
            throw new InvalidDataException("An ONNX node attribute has no name.");
        }

        return new OnnxAttributeValue(name, single, integer, text, floats, ints);
    }

    private static OnnxTensor ReadTensor(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "initializer");
        var dims = new List<long>();
        var dataType = 0;
        var name = string.Empty;
        ReadOnlyMemory<byte> raw = default;
        List<float>? floats = null;
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case TensorDims when wire == WireType.Varint:
                    dims.Add(reader.ReadInt64());
                    break;
                case TensorDims:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var packed = new ProtoReader(reader.ReadBytes(), "initializer dims");
                    while (!packed.AtEnd)
                    {
                        dims.Add(packed.ReadInt64());
                    }

                    break;
                case TensorDataType:
                    reader.Expect(wire, WireType.Varint, field);
                    dataType = reader.ReadInt32();
                    break;
                case TensorFloatData when wire == WireType.Fixed32:
                    (floats ??= []).Add(BitConverter.UInt32BitsToSingle(reader.ReadFixed32()));
                    break;
                case TensorFloatData:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    var packedFloats = new ProtoReader(reader.ReadBytes(), "initializer float_data");
                    floats ??= [];
                    while (!packedFloats.AtEnd)
                    {
                        floats.Add(BitConverter.UInt32BitsToSingle(packedFloats.ReadFixed32()));
                    }

                    break;
                case TensorName:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    name = reader.ReadString();
                    break;
                case TensorRawData:
                    reader.Expect(wire, WireType.LengthDelimited, field);
                    raw = reader.ReadBytes();
                    break;
                case TensorDataLocation:
                    reader.Expect(wire, WireType.Varint, field);
                    if (reader.ReadInt32() != 0)
                    {
                        throw new InvalidDataException(
                            $"ONNX initializer '{name}' keeps its data in an external file, which this reader does not follow; export the model with embedded weights.");
                    }

                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (dims.Any(d => d < 0))
        {
            throw new InvalidDataException($"ONNX initializer '{name}' has a negative dimension [{string.Join(", ", dims)}].");
        }

        return new OnnxTensor(name, dataType, [.. dims], raw, floats?.ToArray());
    }
}
