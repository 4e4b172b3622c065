namespace PeftSharp.Tracking;

/// <summary>One decoded value of a flat YAML mapping.</summary>
internal readonly record struct FlatYamlScalar(string Text, FlatYamlStyle Style);
