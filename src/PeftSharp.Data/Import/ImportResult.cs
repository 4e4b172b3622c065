namespace PeftSharp.Data.Import;

using System.Collections.Generic;

/// <summary>What an import wrote.</summary>
/// <param name="Columns">The columns, in order.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="RowGroups">Row groups written.</param>
public sealed record ImportResult(IReadOnlyList<ImportColumn> Columns, long Rows, int RowGroups);
