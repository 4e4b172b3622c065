namespace PeftSharp.Generators.Model;

/// <summary>
/// An internal property the generator adds to a partial child module class so the root model's generated code can
/// read (and, for a layer, replace) one of its private fields without reflection.
/// </summary>
/// <param name="Owner">The child class.</param>
/// <param name="FieldName">The field as written in C#.</param>
/// <param name="AccessorName">The property name (<c>__peft_</c> and the field name).</param>
/// <param name="TypeName">The field's fully qualified type.</param>
/// <param name="Writable">Whether the property has a setter (layers that get wrapped).</param>
internal sealed record AccessorRequest(TargetClassInfo Owner, string FieldName, string AccessorName, string TypeName, bool Writable);
