namespace PeftSharp.Data.Import;

/// <summary>A column as written to Parquet.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Nullable">Whether it has (or may have) missing values.</param>
public sealed record ImportColumn(string Name, ColumnType Type, bool Nullable)
{
    /// <summary>The type as written in a --schema argument, with <c>?</c> when nullable.</summary>
    public override string ToString() => $"{Name}:{TypeNames.Name(Type)}{(Nullable ? "?" : string.Empty)}";
}
