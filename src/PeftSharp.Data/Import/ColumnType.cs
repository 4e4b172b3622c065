namespace PeftSharp.Data.Import;

/// <summary>A column type the importer writes to Parquet (named int64, double, string and bool in schemas).</summary>
public enum ColumnType
{
    /// <summary>Whole numbers as 64-bit integers (<c>int64</c>).</summary>
    Whole,

    /// <summary>64-bit floating point (<c>double</c>).</summary>
    Real,

    /// <summary>UTF-8 text (<c>string</c>).</summary>
    Text,

    /// <summary>true / false (<c>bool</c>).</summary>
    Boolean,
}
