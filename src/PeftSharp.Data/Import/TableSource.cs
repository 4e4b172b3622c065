namespace PeftSharp.Data.Import;

using System;
using System.Collections.Generic;

/// <summary>A text table read row by row (never whole), opened once per import pass.</summary>
internal abstract class TableSource : IDisposable
{
    /// <summary>Column names known so far (JSON Lines may add names as rows appear).</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>Types the format itself declares (ARFF), by column name.</summary>
    public virtual IReadOnlyDictionary<string, ColumnType> DeclaredTypes { get; } = new Dictionary<string, ColumnType>();

    /// <summary>The 1-based line the last row started on, for error messages.</summary>
    public long Line { get; protected set; }

    /// <summary>Reads the next row (cells aligned with <see cref="Names"/>; shorter rows mean trailing nulls).</summary>
    public abstract bool TryRead(out Cell[] row);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
