namespace PeftSharp.Training.Runner;

using System.Collections.Generic;

/// <summary>The recorded run a <c>reproduce</c> rerun repeats, and the dataset digests it used.</summary>
internal sealed record Reproduction(string RunId, IReadOnlyDictionary<string, string> DatasetDigests);
