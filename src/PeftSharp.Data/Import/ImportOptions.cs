namespace PeftSharp.Data.Import;

using System.Collections.Generic;

/// <summary>How to import a text table.</summary>
public sealed record ImportOptions
{
    /// <summary>The input format; null picks it from the extension (.csv, .jsonl/.ndjson, .arff).</summary>
    public ImportFormat? Format { get; init; }

    /// <summary>Declared column types; columns not named here are inferred (ARFF columns take their declared type).</summary>
    public IReadOnlyDictionary<string, ColumnType>? Schema { get; init; }

    /// <summary>Rows per Parquet row group (the unit a dataset streams by).</summary>
    public int RowGroupSize { get; init; } = 65536;
}
