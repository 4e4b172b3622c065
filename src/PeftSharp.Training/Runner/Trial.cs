namespace PeftSharp.Training.Runner;

using System.Collections.Generic;

/// <summary>One run to do: its bound options, its runner settings and the sweep values that made it (empty for a single run).</summary>
internal sealed record Trial<TOptions>(TOptions Options, RunSettings Settings, IReadOnlyDictionary<string, string> Assignment);
