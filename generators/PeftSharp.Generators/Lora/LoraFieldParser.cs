namespace PeftSharp.Generators.Lora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Diagnostics;
using PeftSharp.Generators.Model;

/// <summary>Reads a <c>[LoraTarget]</c> field into an <see cref="AnnotatedField"/> and checks it.</summary>
internal static class LoraFieldParser
{
    // Used only if the referenced PeftSharp has no LoraDefaults; they mirror the reference PEFT defaults.
    private const int FallbackRank = 8;
    private const double FallbackAlpha = 8;
    private const double FallbackDropout = 0;

    public static AnnotatedField? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IFieldSymbol field
            || context.TargetNode is not VariableDeclaratorSyntax declarator
            || context.Attributes.FirstOrDefault() is not { AttributeClass: { } attributeClass } attribute
            || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
        {
            // The compiler already reports a malformed attribute; guessing its values would only add noise.
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var compilation = context.SemanticModel.Compilation;
        var diagnostics = new List<DiagnosticInfo>();
        var targetClass = TargetClassParser.Parse(field.ContainingType, declarator, compilation, diagnostics);
        var location = LocationInfo.From(declarator.Identifier);

        FieldInspector.CheckModifiers(
            field,
            "LoraTarget",
            allowReadOnly: false,
            "ApplyAdapters() assigns the LoRA wrapper to it on each model instance",
            location,
            diagnostics);
        CheckFieldType(field, compilation, location, diagnostics);
        if (FieldInspector.HasAttribute(field, KnownTypeNames.TrainableAttribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AdapterAndTrainable, location, field.Name));
        }

        var defaults = attributeClass.ContainingNamespace.GetTypeMembers(KnownTypeNames.LoraDefaults).FirstOrDefault();
        var rank = attribute.ConstructorArguments.FirstOrDefault().Value is int r ? r : DefaultInt(defaults, "Rank", FallbackRank);
        var alpha = NamedDouble(attribute, "Alpha") ?? DefaultDouble(defaults, "Alpha", FallbackAlpha);
        var dropout = NamedDouble(attribute, "Dropout") ?? DefaultDouble(defaults, "Dropout", FallbackDropout);
        var arguments = (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax)?.ArgumentList;
        var attributeLocation = attribute.ApplicationSyntaxReference is { } reference
            ? LocationInfo.From(reference.GetSyntax(cancellationToken))
            : location;

        if (rank <= 0)
        {
            diagnostics.Add(Invalid(field, "rank", rank.ToString(CultureInfo.InvariantCulture), "a positive integer (1 or more)",
                ArgumentLocation(arguments, positional: true, "rank") ?? attributeLocation));
        }

        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            diagnostics.Add(Invalid(field, "Alpha", Format(alpha), "a positive finite number (greater than 0)",
                ArgumentLocation(arguments, positional: false, "Alpha") ?? attributeLocation));
        }

        if (!(dropout >= 0 && dropout < 1))
        {
            diagnostics.Add(Invalid(field, "Dropout", Format(dropout), "in [0, 1) (0 disables dropout)",
                ArgumentLocation(arguments, positional: false, "Dropout") ?? attributeLocation));
        }

        var adapter = new AdapterFieldModel(
            declarator.Identifier.Text,
            FieldInspector.ComponentName(field),
            "Lora",
            rank,
            alpha,
            dropout,
            field.NullableAnnotation == NullableAnnotation.Annotated);
        return new AnnotatedField(
            targetClass,
            declarator.SyntaxTree.FilePath,
            declarator.SpanStart,
            adapter,
            TrainableModule: null,
            diagnostics.ToEquatableArray());
    }

    /// <summary>Formats a double so the generated literal reads back as the same value, whatever the culture.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // PEFT002: the wrapper is a Module<Tensor, Tensor>, so the field must be exactly that type (not Linear, which is sealed).
    private static void CheckFieldType(
        IFieldSymbol field, Compilation compilation, LocationInfo location, List<DiagnosticInfo> diagnostics)
    {
        if (field.Type.TypeKind == TypeKind.Error)
        {
            return;
        }

        var moduleOfTensor = compilation.GetTypeByMetadataName(KnownTypeNames.ModuleOfTensor);
        var tensor = compilation.GetTypeByMetadataName(KnownTypeNames.Tensor);
        if (field.Type is INamedTypeSymbol named
            && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, moduleOfTensor)
            && named.TypeArguments.All(a => SymbolEqualityComparer.Default.Equals(a, tensor)))
        {
            return;
        }

        var sealedLayer = field.Type.IsSealed
            && TargetClassParser.DerivesFrom(field.Type, compilation.GetTypeByMetadataName(KnownTypeNames.Module));
        diagnostics.Add(DiagnosticInfo.Create(
            DiagnosticDescriptors.FieldCannotHoldAdapter,
            location,
            field.Name,
            field.Type.ToDisplayString(),
            sealedLayer ? ", a sealed layer type" : string.Empty));
    }

    private static DiagnosticInfo Invalid(IFieldSymbol field, string parameter, string value, string range, LocationInfo location) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHyperparameter, location, field.Name, parameter, value, range);

    // Points a hyperparameter diagnostic at the argument that set it rather than at the whole attribute.
    private static LocationInfo? ArgumentLocation(AttributeArgumentListSyntax? arguments, bool positional, string name)
    {
        var argument = arguments?.Arguments.FirstOrDefault(a => positional
            ? a.NameEquals is null && (a.NameColon is null || a.NameColon.Name.Identifier.ValueText == name)
            : a.NameEquals?.Name.Identifier.ValueText == name);
        return argument is null ? null : LocationInfo.From(argument);
    }

    private static double? NamedDouble(AttributeData attribute, string name)
    {
        var value = attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value;
        return value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);
    }

    private static int DefaultInt(INamedTypeSymbol? defaults, string name, int fallback) =>
        Constant(defaults, name) is { } value ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : fallback;

    private static double DefaultDouble(INamedTypeSymbol? defaults, string name, double fallback) =>
        Constant(defaults, name) is { } value ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : fallback;

    // The property initialisers of the attribute are invisible to the generator; LoraDefaults holds the same values as constants.
    private static object? Constant(INamedTypeSymbol? defaults, string name) =>
        defaults?.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue)?.ConstantValue;
}
