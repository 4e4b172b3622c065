namespace PeftSharp.Saving;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

/// <summary>
/// An adapter file does not fit the model: every missing key, unexpected key and shape mismatch is listed, so one
/// failed load shows the whole problem.
/// </summary>
public sealed class AdapterLoadException : Exception
{
    /// <summary>Creates the exception with a message listing the problems.</summary>
    public AdapterLoadException(string source, IReadOnlyList<string> missingKeys, IReadOnlyList<string> unexpectedKeys, IReadOnlyList<string> shapeMismatches)
        : base(Describe(source, missingKeys, unexpectedKeys, shapeMismatches))
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public AdapterLoadException()
        : this("adapter", [], [], [])
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public AdapterLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public AdapterLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Keys the model expects that the file lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; } = [];

    /// <summary>Keys in the file the model has no place for.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; } = [];

    /// <summary>Keys whose shape in the file differs from the model's, as <c>key: file [..] vs model [..]</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; } = [];

    private static string Describe(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        var text = new StringBuilder($"The adapter in {source} does not fit the model");
        void Section(string title, IReadOnlyList<string> items)
        {
            if (items.Count > 0)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n{title} ({items.Count}):");
                foreach (var item in items)
                {
                    text.Append("\n  ").Append(item);
                }
            }
        }

        Section("Missing keys", missing);
        Section("Unexpected keys", unexpected);
        Section("Shape mismatches", mismatched);
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            text.Append("\nCheck that the adapter was trained for this model and that target_modules name the same layers.");
        }

        return text.ToString();
    }
}
