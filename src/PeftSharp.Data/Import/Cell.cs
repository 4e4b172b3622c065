namespace PeftSharp.Data.Import;

/// <summary>One raw value of a text table and what its format says about its type.</summary>
/// <param name="Text">The value's text; null for a missing value.</param>
/// <param name="Kind">What the format says about it.</param>
internal readonly record struct Cell(string? Text, CellKind Kind)
{
    public static Cell Null => new(null, CellKind.Null);
}
