namespace PeftSharp.Generators.Model;

using PeftSharp.Generators.Common;

/// <summary>The class that receives the generated <c>IAdaptableModel</c> implementation.</summary>
/// <param name="Key">A unique key for the class (its fully qualified name), used to group its fields.</param>
/// <param name="HintName">The generated file's hint name.</param>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="Declarations">The containing types from the outermost inwards, ending with the class itself.</param>
/// <param name="Name">The class's simple name, for messages in generated code.</param>
internal sealed record TargetClassInfo(
    string Key,
    string HintName,
    string? Namespace,
    EquatableArray<TypeDeclarationInfo> Declarations,
    string Name);
