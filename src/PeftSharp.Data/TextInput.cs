namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>
/// A string column tokenized by <see cref="Encoder"/> into int64 token ids [batch, length] plus an attention mask
/// [batch, length] (1 for tokens, 0 for padding) under the key <c>Name + ".attention_mask"</c>.
/// </summary>
/// <param name="Name">The input's name.</param>
/// <param name="Column">The string column (no nulls).</param>
/// <param name="Encoder">The tokenizer, with its maximum length and padding.</param>
public sealed record TextInput(string Name, string Column, TextEncoder Encoder) : DataInput(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => [Column];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(Encoder, nameof(Encoder));
    }
}
