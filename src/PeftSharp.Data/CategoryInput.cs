namespace PeftSharp.Data;

using System.Collections.Generic;

/// <summary>
/// A categorical column (string, integer or bool) mapped to an int64 index [batch] through a
/// <see cref="CategoryVocabulary"/>; index 0 is the unknown bucket (values not seen when fitting, and nulls).
/// </summary>
/// <param name="Name">The input's name.</param>
/// <param name="Column">The column.</param>
/// <param name="Vocabulary">The vocabulary, fitted on training rows (<see cref="ParquetDataset.FitCategoriesAsync"/>); null until fitted.</param>
public sealed record CategoryInput(string Name, string Column, CategoryVocabulary? Vocabulary = null) : DataInput(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => [Column];
}
