namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

/// <summary>
/// Declares a dataset: its Parquet files (read in the order given, as one table with the same columns) and the
/// typed mapping from columns to model inputs. Immutable; the builder methods return a new spec.
/// </summary>
/// <param name="Name">The dataset's name (logged to MLflow as the dataset input name).</param>
/// <param name="Files">The Parquet files.</param>
/// <param name="Inputs">The mapped inputs.</param>
public sealed record DatasetSpec(string Name, IReadOnlyList<string> Files, IReadOnlyList<DataInput> Inputs)
{
    /// <summary>A spec with no inputs yet.</summary>
    public DatasetSpec(string name, params string[] files)
        : this(name, files, [])
    {
    }

    /// <summary>Adds <paramref name="input"/>.</summary>
    public DatasetSpec With(DataInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return this with { Inputs = [.. Inputs, input] };
    }

    /// <summary>Adds numeric columns gathered into one float32 tensor [batch, columns].</summary>
    public DatasetSpec Numbers(string name, params string[] columns) => With(new NumberInput(name, columns));

    /// <summary>Adds a categorical column mapped to int64 indices (fit the vocabulary on training rows first).</summary>
    public DatasetSpec Category(string name, string column, CategoryVocabulary? vocabulary = null) =>
        With(new CategoryInput(name, column, vocabulary));

    /// <summary>Adds a text column tokenized by <paramref name="encoder"/>.</summary>
    public DatasetSpec Text(string name, string column, TextEncoder encoder) => With(new TextInput(name, column, encoder));

    /// <summary>Adds a list column of token ids.</summary>
    public DatasetSpec TokenIds(string name, string column, int maxLength, long paddingId = 0, long? vocabularySize = null) =>
        With(new TokenIdsInput(name, column, maxLength, paddingId, vocabularySize));

    /// <summary>Adds an image column.</summary>
    public DatasetSpec Image(string name, string column, ImageFormat format) => With(new ImageInput(name, column, format));

    /// <summary>Adds an integer label column with <paramref name="classCount"/> classes.</summary>
    public DatasetSpec Label(string name, string column, int classCount) => With(new LabelInput(name, column, classCount));

    /// <summary>Throws <see cref="ArgumentException"/> for an invalid declaration (no files, no inputs, duplicate names).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A dataset needs a name.");
        }

        if (Files is null || Files.Count == 0)
        {
            throw new ArgumentException($"Dataset '{Name}' names no Parquet file.");
        }

        if (Inputs is null || Inputs.Count == 0)
        {
            throw new ArgumentException($"Dataset '{Name}' maps no column; add inputs (Numbers, Category, Text, TokenIds, Image, Label).");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in Inputs)
        {
            input.Validate();
            if (!names.Add(input.Name) || Inputs.Any(i => i is TextInput or TokenIdsInput && i.Name + ".attention_mask" == input.Name))
            {
                throw new ArgumentException($"Dataset '{Name}' has two inputs named '{input.Name}'; input names must be unique.");
            }
        }

        foreach (var file in Files)
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                throw new ArgumentException($"Dataset '{Name}' names an empty file path.");
            }
        }

        if (Files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Count() != Files.Count)
        {
            throw new ArgumentException($"Dataset '{Name}' names a file twice.");
        }
    }
}
