namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>An integer class-label column read as int64 [batch]; every label must be in [0, <see cref="ClassCount"/>).</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Column">The integer column (no nulls).</param>
/// <param name="ClassCount">The number of classes the model predicts.</param>
public sealed record LabelInput(string Name, string Column, int ClassCount) : DataInput(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => [Column];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (ClassCount < 1)
        {
            throw new ArgumentException($"Label '{Name}': the class count must be at least 1 (got {ClassCount}).");
        }
    }
}
