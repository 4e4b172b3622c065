namespace PeftSharp.Generators.Model;

/// <summary>A layer the generated <c>ApplyAdapters()</c> wraps with an adapter.</summary>
/// <param name="FieldName">The field's identifier as written in C# (escaped if it is a keyword).</param>
/// <param name="ComponentName">The TorchSharp component name: the state-dict key and module path.</param>
/// <param name="Method">The <c>PeftSharp.AdapterMethod</c> member name.</param>
/// <param name="Rank">The rank from the attribute.</param>
/// <param name="Alpha">The alpha from the attribute or its default.</param>
/// <param name="Dropout">The dropout from the attribute or its default.</param>
/// <param name="IsNullable">Whether the field is declared nullable, so the generated read needs a null-forgiving operator.</param>
internal sealed record AdapterFieldModel(
    string FieldName,
    string ComponentName,
    string Method,
    int Rank,
    double Alpha,
    double Dropout,
    bool IsNullable)
{
    /// <summary>LoRA: rsLoRA scaling.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>LoRA: DoRA.</summary>
    public bool UseDora { get; init; }

    /// <summary>LoRA: the <c>PeftSharp.LoraInit</c> member name.</summary>
    public string Init { get; init; } = "Default";

    /// <summary>IA3: scale the input instead of the output.</summary>
    public bool FeedForward { get; init; }

    /// <summary>
    /// For a layer inside a child module (class-level targets): the C# expression, relative to <c>this</c>, of the
    /// module that owns the field, e.g. <c>this.encoder.__peft_block</c>; null for a field of the class itself.
    /// </summary>
    public string? OwnerExpression { get; init; }

    /// <summary>
    /// For a nested layer: its dotted path in the model (after the last ModuleList index when there are loops); null
    /// for a field of the class itself, whose path is its component name.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>For a nested layer: the accessor property that reads and writes the field on its owner.</summary>
    public string? Accessor { get; init; }

    /// <summary>
    /// For a layer reached through ModuleList fields: each list's expression (relative to the previous loop variable or
    /// <c>this</c>) and its path prefix; the generated code loops over them and puts the index into the path.
    /// </summary>
    public Common.EquatableArray<string> Loops { get; init; } = Common.EquatableArray<string>.Empty;
}
