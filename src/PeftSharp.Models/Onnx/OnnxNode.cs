namespace PeftSharp.Models.Onnx;

using System.Collections.Generic;

/// <summary>One operator of an ONNX graph: its type and the names of the values it reads and writes.</summary>
/// <param name="Name">The node's name (may be empty).</param>
/// <param name="OpType">The operator, e.g. <c>MatMul</c>.</param>
/// <param name="Inputs">Names of the input values, in order.</param>
/// <param name="Outputs">Names of the output values, in order.</param>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
