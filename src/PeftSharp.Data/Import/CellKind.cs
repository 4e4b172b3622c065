namespace PeftSharp.Data.Import;

/// <summary>What a format says about a value's type.</summary>
internal enum CellKind
{
    /// <summary>Missing.</summary>
    Null,

    /// <summary>Untyped text (CSV, ARFF): any type it parses as.</summary>
    Text,

    /// <summary>A JSON string: only a string.</summary>
    String,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>A JSON true/false.</summary>
    Bool,
}
