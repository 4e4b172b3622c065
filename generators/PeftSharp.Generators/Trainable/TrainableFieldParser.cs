namespace PeftSharp.Generators.Trainable;

using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Diagnostics;
using PeftSharp.Generators.Model;

/// <summary>Reads a <c>[Trainable]</c> field into an <see cref="AnnotatedField"/> and checks it.</summary>
internal static class TrainableFieldParser
{
    public static AnnotatedField? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IFieldSymbol field || context.TargetNode is not VariableDeclaratorSyntax declarator)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var compilation = context.SemanticModel.Compilation;
        var diagnostics = new List<DiagnosticInfo>();
        var targetClass = TargetClassParser.Parse(field.ContainingType, declarator, compilation, diagnostics);
        var location = LocationInfo.From(declarator.Identifier);
        var componentName = FieldInspector.ComponentName(field);

        // A readonly module is fine here: the generated code only names it, it never assigns it.
        FieldInspector.CheckModifiers(
            field,
            "Trainable",
            allowReadOnly: true,
            "TorchSharp registers only instance fields as submodules, so freezing would not find it",
            location,
            diagnostics);

        var module = compilation.GetTypeByMetadataName(KnownTypeNames.Module);
        if (module is not null && field.Type.TypeKind != TypeKind.Error && !IsModule(field.Type, module, compilation))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.TrainableNotAModule, location, field.Name, field.Type.ToDisplayString(), componentName));
        }

        // A field that is also [LoraTarget] gets PEFT004 from the LoRA parser; contributing it twice would only confuse.
        var alsoAdapter = FieldInspector.HasAttribute(field, KnownTypeNames.LoraTargetAttribute)
            || FieldInspector.HasAttribute(field, KnownTypeNames.IA3TargetAttribute);
        return new AnnotatedField(
            targetClass,
            declarator.SyntaxTree.FilePath,
            declarator.SpanStart,
            Adapter: null,
            alsoAdapter ? null : componentName,
            diagnostics.ToEquatableArray());
    }

    // A conversion rather than a base-type walk, so type parameters constrained to a module count too.
    private static bool IsModule(ITypeSymbol type, INamedTypeSymbol module, Compilation compilation)
    {
        var conversion = compilation.ClassifyCommonConversion(type, module);
        return conversion.IsIdentity || (conversion.IsImplicit && conversion.IsReference);
    }
}
