namespace PeftSharp.Data;

/// <summary>One row group of a dataset: the unit of streaming.</summary>
/// <param name="File">The Parquet file.</param>
/// <param name="FileIndex">The file's position in the dataset's file list.</param>
/// <param name="Index">The row group's index in its file.</param>
/// <param name="Rows">Its number of rows.</param>
/// <param name="FirstRow">The global index of its first row (rows are numbered across files in order).</param>
public sealed record RowGroupInfo(string File, int FileIndex, int Index, int Rows, long FirstRow);
