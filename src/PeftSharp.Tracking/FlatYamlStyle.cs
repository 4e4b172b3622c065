namespace PeftSharp.Tracking;

/// <summary>How a scalar was written, which decides whether <c>null</c> or <c>12</c> mean a null or a number.</summary>
internal enum FlatYamlStyle
{
    Plain,
    Quoted,
    Collection,
}
