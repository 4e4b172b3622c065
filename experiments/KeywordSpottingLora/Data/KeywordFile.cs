namespace KeywordSpottingLora.Data;

using PeftSharp.Data;

/// <summary>One corpus file read into memory.</summary>
/// <param name="Data">The flattened spectrograms and keyword labels.</param>
/// <param name="Record">Its MLflow dataset record (content digest, schema, rows).</param>
/// <param name="EspeakVersion">The espeak-ng package version that spoke the clips.</param>
public sealed record KeywordFile(TabularData Data, DatasetRecord Record, string EspeakVersion);
