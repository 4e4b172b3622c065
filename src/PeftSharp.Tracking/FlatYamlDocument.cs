namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

/// <summary>A parsed flat YAML mapping with typed accessors whose errors name the file and the key.</summary>
internal sealed class FlatYamlDocument
{
    private readonly Dictionary<string, FlatYamlScalar> _entries;

    public FlatYamlDocument(string path, Dictionary<string, FlatYamlScalar> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, FlatYamlScalar> Entries => _entries;

    /// <summary>The string value; null when the key is absent or the value is a YAML null.</summary>
    public string? GetString(string key)
    {
        if (!_entries.TryGetValue(key, out var scalar) || IsNull(scalar))
        {
            return null;
        }

        if (scalar.Style == FlatYamlStyle.Collection)
        {
            throw Corrupt(key, "expected a string, found a collection");
        }

        return scalar.Text;
    }

    public string RequireString(string key) => GetString(key) ?? throw Corrupt(key, "the key is missing or null");

    /// <summary>The integer value; null when the key is absent or the value is a YAML null.</summary>
    public long? GetInt64(string key)
    {
        if (!_entries.TryGetValue(key, out var scalar) || IsNull(scalar))
        {
            return null;
        }

        // Quoted digits are accepted too: a reader should be lenient about what other writers produced.
        if (scalar.Style != FlatYamlStyle.Collection
            && long.TryParse(scalar.Text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            return value;
        }

        throw Corrupt(key, $"expected an integer, found '{scalar.Text}'");
    }

    public long RequireInt64(string key) => GetInt64(key) ?? throw Corrupt(key, "the key is missing or null");

    public InvalidDataException Corrupt(string key, string problem) =>
        new($"Corrupt MLflow metadata file '{Path}': '{key}': {problem}.");

    private static bool IsNull(FlatYamlScalar scalar) =>
        scalar.Style == FlatYamlStyle.Plain && scalar.Text is "" or "~" or "null" or "Null" or "NULL";
}
