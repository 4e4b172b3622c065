namespace PeftSharp.Data.Sources.RData;

/// <summary>R's <c>NULL</c> (and the special environments, which data never needs).</summary>
public sealed class RNull : RObject
{
    /// <summary>The one instance.</summary>
    public static RNull Instance { get; } = new();

    /// <inheritdoc />
    public override string Describe() => "NULL";
}
