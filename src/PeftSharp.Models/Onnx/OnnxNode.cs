namespace PeftSharp.Models.Onnx;

using System.Collections.Generic;
using System.IO;
using System.Linq;

/// <summary>One operator of an ONNX graph: its type and the names of the values it reads and writes.</summary>
/// <param name="Name">The node's name (may be empty).</param>
/// <param name="OpType">The operator, e.g. <c>MatMul</c>.</param>
/// <param name="Inputs">Names of the input values, in order.</param>
/// <param name="Outputs">Names of the output values, in order.</param>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    /// <summary>The node's attributes by name (kernel sizes, strides, pads, epsilon, ...).</summary>
    public IReadOnlyDictionary<string, OnnxAttributeValue> Attributes { get; init; } = new Dictionary<string, OnnxAttributeValue>();

    /// <summary>The integer list attribute <paramref name="name"/>, or <paramref name="fallback"/> when the node has none.</summary>
    public IReadOnlyList<long> IntsOr(string name, IReadOnlyList<long> fallback) =>
        Attributes.TryGetValue(name, out var attribute) ? attribute.Ints : fallback;

    /// <summary>The integer attribute <paramref name="name"/>, or <paramref name="fallback"/> when the node has none.</summary>
    /// <exception cref="InvalidDataException">The attribute exists but holds no integer.</exception>
    public long IntOr(string name, long fallback) =>
        !Attributes.TryGetValue(name, out var attribute) ? fallback
        : attribute.IntValue ?? throw new InvalidDataException($"Attribute '{name}' of ONNX node '{Name}' ({OpType}) is not an integer.");

    /// <summary>The float attribute <paramref name="name"/>, or <paramref name="fallback"/> when the node has none.</summary>
    /// <exception cref="InvalidDataException">The attribute exists but holds no float.</exception>
    public float FloatOr(string name, float fallback) =>
        !Attributes.TryGetValue(name, out var attribute) ? fallback
        : attribute.FloatValue ?? throw new InvalidDataException($"Attribute '{name}' of ONNX node '{Name}' ({OpType}) is not a float.");

    /// <summary>The node written as in ONNX text form, for error messages: <c>Conv 'name' (a, b) -> (c) [pads=1,1,0,0]</c>.</summary>
    public string Describe() =>
        $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})"
        + (Attributes.Count == 0 ? string.Empty : $" [{string.Join("; ", Attributes.Values.Select(Format))}]");

    private static string Format(OnnxAttributeValue a) =>
        a.Name + "=" + (a.IntValue?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? a.FloatValue?.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
            ?? a.TextValue
            ?? (a.Ints.Count > 0 ? string.Join(",", a.Ints) : string.Join(",", a.Floats)));
}
