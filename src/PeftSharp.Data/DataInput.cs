namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>
/// One model input read from Parquet: its <see cref="Name"/> is the key of its tensor in a <see cref="Batch"/>.
/// The concrete kinds are <see cref="NumberInput"/>, <see cref="CategoryInput"/>, <see cref="TextInput"/>,
/// <see cref="TokenIdsInput"/>, <see cref="ImageInput"/> and <see cref="LabelInput"/>.
/// </summary>
/// <param name="Name">The input's name; unique within a dataset.</param>
public abstract record DataInput(string Name)
{
    /// <summary>The Parquet columns this input reads.</summary>
    public abstract IReadOnlyList<string> Columns { get; }

    /// <summary>Throws <see cref="ArgumentException"/> when the declaration itself is invalid.</summary>
    public virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("Every dataset input needs a name.");
        }

        if (Columns.Count == 0)
        {
            throw new ArgumentException($"Input '{Name}' reads no column; name at least one.");
        }

        foreach (var column in Columns)
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                throw new ArgumentException($"Input '{Name}' names an empty column.");
            }
        }
    }
}
