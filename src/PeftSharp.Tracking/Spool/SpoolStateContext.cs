namespace PeftSharp.Tracking;

using System.Text.Json.Serialization;

/// <summary>Source-generated JSON for <see cref="SpoolState"/> (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(SpoolState))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class SpoolStateContext : JsonSerializerContext
{
}
