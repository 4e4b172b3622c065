namespace PeftSharp.Data;

using System.Collections.Generic;

/// <summary>
/// Numeric columns (float, double or integer; no nulls) gathered into one float32 tensor [batch, columns], in the
/// order given.
/// </summary>
/// <param name="Name">The input's name.</param>
/// <param name="Features">The numeric column names, in the order of the model's input vector.</param>
public sealed record NumberInput(string Name, IReadOnlyList<string> Features) : DataInput(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => Features;
}
