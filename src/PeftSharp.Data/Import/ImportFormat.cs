namespace PeftSharp.Data.Import;

/// <summary>A text format the importer reads.</summary>
public enum ImportFormat
{
    /// <summary>Comma-separated values with a header line (RFC 4180 quoting).</summary>
    Csv,

    /// <summary>One JSON object per line.</summary>
    JsonLines,

    /// <summary>Weka's Attribute-Relation File Format (dense rows).</summary>
    Arff,
}
