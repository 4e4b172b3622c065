namespace PeftSharp.Data;

using System;

/// <summary>A named column of values (double[], float[], long[] or int[]) to write to Parquet.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Values">The values, one per row.</param>
public sealed record ColumnData(string Name, Array Values);
