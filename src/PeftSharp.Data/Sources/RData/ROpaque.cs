namespace PeftSharp.Data.Sources.RData;

/// <summary>A language object, closure, environment or other non-data value, kept only by its R type code.</summary>
public sealed class ROpaque(int type) : RObject
{
    /// <summary>R's SEXP type code.</summary>
    public int Type { get; } = type;

    /// <inheritdoc />
    public override string Describe() => $"R object of type {Type}";
}
