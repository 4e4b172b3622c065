namespace PeftSharp.Generators.Model;

using PeftSharp.Generators.Common;

/// <summary>
/// What the parser extracts from one annotated field: the class it belongs to, what to generate for it and the
/// problems found. Holds values only, so the incremental cache can compare it across edits.
/// </summary>
/// <param name="Class">The containing class.</param>
/// <param name="FilePath">The declaring file, to order fields deterministically.</param>
/// <param name="Position">The field's position in its file, to keep declaration order.</param>
/// <param name="Adapter">The adapter to apply, for an adapter-target field.</param>
/// <param name="TrainableModule">The component name to keep trainable, for a trainable field.</param>
/// <param name="Diagnostics">Problems with the field or its class.</param>
internal sealed record AnnotatedField(
    TargetClassInfo Class,
    string FilePath,
    int Position,
    AdapterFieldModel? Adapter,
    string? TrainableModule,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Layers inside child modules targeted by a class-level attribute, in module-tree order.</summary>
    public EquatableArray<AdapterFieldModel> Nested { get; init; } = EquatableArray<AdapterFieldModel>.Empty;

    /// <summary>Accessors the nested layers need in child classes.</summary>
    public EquatableArray<AccessorRequest> Accessors { get; init; } = EquatableArray<AccessorRequest>.Empty;
}
