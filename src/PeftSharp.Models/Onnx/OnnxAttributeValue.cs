namespace PeftSharp.Models.Onnx;

using System.Collections.Generic;

/// <summary>
/// A node attribute of the kinds weight importers read (<c>AttributeProto</c> fields f, i, s, floats, ints); tensor and
/// graph attributes are skipped by the reader.
/// </summary>
/// <param name="Name">The attribute's name, e.g. <c>pads</c>.</param>
/// <param name="FloatValue">The <c>f</c> value when present.</param>
/// <param name="IntValue">The <c>i</c> value when present.</param>
/// <param name="TextValue">The <c>s</c> value (UTF-8) when present.</param>
/// <param name="Floats">The <c>floats</c> values (empty when absent).</param>
/// <param name="Ints">The <c>ints</c> values (empty when absent).</param>
public sealed record OnnxAttributeValue(string Name, float? FloatValue, long? IntValue, string? TextValue, IReadOnlyList<float> Floats, IReadOnlyList<long> Ints);
