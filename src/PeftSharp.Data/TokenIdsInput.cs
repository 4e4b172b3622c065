namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>
/// A list column of integer token ids (already tokenized) truncated to <see cref="MaxLength"/> and padded with
/// <see cref="PaddingId"/> into int64 [batch, length], plus an attention mask under <c>Name + ".attention_mask"</c>.
/// </summary>
/// <param name="Name">The input's name.</param>
/// <param name="Column">The list column (list of int32 or int64).</param>
/// <param name="MaxLength">Longer sequences are truncated to this many ids.</param>
/// <param name="PaddingId">The id used for padding.</param>
/// <param name="VocabularySize">When set, every id must be in [0, VocabularySize).</param>
/// <param name="PadToMaxLength">Pad every batch to <see cref="MaxLength"/> instead of its longest row.</param>
public sealed record TokenIdsInput(
    string Name, string Column, int MaxLength, long PaddingId = 0, long? VocabularySize = null, bool PadToMaxLength = false)
    : DataInput(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => [Column];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (MaxLength < 1)
        {
            throw new ArgumentException($"Input '{Name}': the maximum length must be at least 1 (got {MaxLength}).");
        }
    }
}
