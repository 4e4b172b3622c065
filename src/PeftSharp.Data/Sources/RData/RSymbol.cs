namespace PeftSharp.Data.Sources.RData;

/// <summary>An R symbol (a name).</summary>
public sealed class RSymbol(string name) : RObject
{
    /// <summary>The symbol's text.</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public override string Describe() => $"symbol '{Name}'";
}
