namespace PeftSharp.Generators.Adapters;

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

/// <summary>Reads a <c>[LoraTarget]</c> or <c>[IA3Target]</c> field into an <see cref="AnnotatedField"/> and checks it.</summary>
internal static class AdapterFieldParser
{
    // Used only if the referenced PeftSharp has no LoraDefaults; they mirror the reference PEFT defaults.
    private const int FallbackRank = 8;
    private const double FallbackAlpha = 8;
    private const double FallbackDropout = 0;

    public static AnnotatedField? ParseLora(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, AdapterMethods.Lora, cancellationToken);

    public static AnnotatedField? ParseIA3(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, AdapterMethods.IA3, cancellationToken);

    private static AnnotatedField? Parse(GeneratorAttributeSyntaxContext context, string method, CancellationToken cancellationToken)
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
        var attributeName = method == AdapterMethods.IA3 ? "IA3Target" : "LoraTarget";

        FieldInspector.CheckModifiers(
            field,
            attributeName,
            allowReadOnly: false,
            "ApplyAdapters() assigns the adapter wrapper to it on each model instance",
            location,
            diagnostics);
        CheckFieldType(field, attributeName, compilation, location, diagnostics);
        if (FieldInspector.HasAttribute(field, KnownTypeNames.TrainableAttribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AdapterAndTrainable, location, field.Name, attributeName));
        }

        // Both adapter attributes on one field: the LoRA parser reports it, the IA3 parser contributes nothing.
        if (method == AdapterMethods.IA3 && FieldInspector.HasAttribute(field, KnownTypeNames.LoraTargetAttribute))
        {
            return new AnnotatedField(targetClass, declarator.SyntaxTree.FilePath, declarator.SpanStart, null, null, diagnostics.ToEquatableArray());
        }

        if (method == AdapterMethods.Lora && FieldInspector.HasAttribute(field, KnownTypeNames.IA3TargetAttribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TargetedTwice, location, field.Name, "[LoraTarget]", "[IA3Target]"));
        }

        var adapter = method == AdapterMethods.IA3
            ? ReadIA3(field, declarator, attribute)
            : ReadLora(field, declarator, attribute, attributeClass, diagnostics, location, cancellationToken);
        CheckLayerType(field, adapter, compilation, location, diagnostics, cancellationToken);
        return new AnnotatedField(
            targetClass,
            declarator.SyntaxTree.FilePath,
            declarator.SpanStart,
            adapter,
            TrainableModule: null,
            diagnostics.ToEquatableArray());
    }

    /// <summary>PEFT008: the constructor visibly assigns a layer type the method cannot wrap.</summary>
    internal static void CheckLayerType(
        IFieldSymbol field,
        AdapterFieldModel adapter,
        Compilation compilation,
        LocationInfo location,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        string? path = null)
    {
        foreach (var (layer, assignedIn) in LayerTypeInspector.AssignedLayers(field, compilation, cancellationToken))
        {
            if (!AdapterMethods.Supports(adapter.Method, adapter.UseDora, layer))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedLayerType,
                    location,
                    AdapterMethods.DisplayName(adapter.Method, adapter.UseDora),
                    path ?? field.Name,
                    layer,
                    assignedIn,
                    AdapterMethods.Describe(adapter.Method, adapter.UseDora)));
            }
        }
    }

    private static AdapterFieldModel ReadIA3(IFieldSymbol field, VariableDeclaratorSyntax declarator, AttributeData attribute) =>
        new(
            declarator.Identifier.Text,
            FieldInspector.ComponentName(field),
            AdapterMethods.IA3,
            1,
            1,
            0,
            field.NullableAnnotation == NullableAnnotation.Annotated)
        {
            FeedForward = NamedBool(attribute, "FeedForward"),
        };

    private static AdapterFieldModel ReadLora(
        IFieldSymbol field,
        VariableDeclaratorSyntax declarator,
        AttributeData attribute,
        INamedTypeSymbol attributeClass,
        List<DiagnosticInfo> diagnostics,
        LocationInfo location,
        CancellationToken cancellationToken)
    {
        var rank = attribute.ConstructorArguments.FirstOrDefault().Value is int r ? r : DefaultRank(attributeClass);
        var settings = ReadLoraSettings(attribute, attributeClass, rank);
        var arguments = (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax)?.ArgumentList;
        var attributeLocation = attribute.ApplicationSyntaxReference is { } reference
            ? LocationInfo.From(reference.GetSyntax(cancellationToken))
            : location;
        CheckRanges(field.Name, "LoraTarget", settings, arguments, attributeLocation, positionalRank: true, diagnostics);
        return settings with
        {
            FieldName = declarator.Identifier.Text,
            ComponentName = FieldInspector.ComponentName(field),
            IsNullable = field.NullableAnnotation == NullableAnnotation.Annotated,
        };
    }

    /// <summary>The LoRA values of a field- or class-level attribute, with the library's defaults for unset ones.</summary>
    internal static AdapterFieldModel ReadLoraSettings(AttributeData attribute, INamedTypeSymbol attributeClass, int rank)
    {
        var defaults = attributeClass.ContainingNamespace.GetTypeMembers(KnownTypeNames.LoraDefaults).FirstOrDefault();
        var init = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Init").Value;
        var initName = init.Value is int initValue && init.Type is INamedTypeSymbol initType
            ? initType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, initValue))?.Name
            : null;
        return new AdapterFieldModel(
            string.Empty,
            string.Empty,
            AdapterMethods.Lora,
            rank,
            NamedDouble(attribute, "Alpha") ?? DefaultDouble(defaults, "Alpha", FallbackAlpha),
            NamedDouble(attribute, "Dropout") ?? DefaultDouble(defaults, "Dropout", FallbackDropout),
            false)
        {
            UseRsLora = NamedBool(attribute, "UseRsLora"),
            UseDora = NamedBool(attribute, "UseDora"),
            Init = initName ?? "Default",
        };
    }

    internal static int DefaultRank(INamedTypeSymbol attributeClass) =>
        Constant(attributeClass.ContainingNamespace.GetTypeMembers(KnownTypeNames.LoraDefaults).FirstOrDefault(), "Rank") is { } value
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : FallbackRank;

    /// <summary>PEFT003 for each value out of the range <c>AdapterTarget.Validate()</c> enforces at run time.</summary>
    internal static void CheckRanges(
        string target,
        string attributeName,
        AdapterFieldModel settings,
        AttributeArgumentListSyntax? arguments,
        LocationInfo attributeLocation,
        bool positionalRank,
        List<DiagnosticInfo> diagnostics)
    {
        if (settings.Rank <= 0)
        {
            diagnostics.Add(Invalid(target, attributeName, "rank", settings.Rank.ToString(CultureInfo.InvariantCulture), "a positive integer (1 or more)",
                ArgumentLocation(arguments, positionalRank, "rank", "Rank") ?? attributeLocation));
        }

        if (!(settings.Alpha > 0) || double.IsInfinity(settings.Alpha))
        {
            diagnostics.Add(Invalid(target, attributeName, "Alpha", Literals.Format(settings.Alpha), "a positive finite number (greater than 0)",
                ArgumentLocation(arguments, positional: false, "Alpha", "Alpha") ?? attributeLocation));
        }

        if (!(settings.Dropout >= 0 && settings.Dropout < 1))
        {
            diagnostics.Add(Invalid(target, attributeName, "Dropout", Literals.Format(settings.Dropout), "in [0, 1) (0 disables dropout)",
                ArgumentLocation(arguments, positional: false, "Dropout", "Dropout") ?? attributeLocation));
        }
    }

    // PEFT002: the wrapper is a Module<Tensor, Tensor>, so the field must be exactly that type (not Linear, which is sealed).
    internal static void CheckFieldType(
        IFieldSymbol field, string attributeName, Compilation compilation, LocationInfo location, List<DiagnosticInfo> diagnostics)
    {
        if (field.Type.TypeKind == TypeKind.Error || IsModuleOfTensor(field.Type, compilation))
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
            sealedLayer ? ", a sealed layer type" : string.Empty,
            attributeName));
    }

    /// <summary>Whether <paramref name="type"/> is exactly <c>Module&lt;Tensor, Tensor&gt;</c>.</summary>
    internal static bool IsModuleOfTensor(ITypeSymbol type, Compilation compilation)
    {
        var moduleOfTensor = compilation.GetTypeByMetadataName(KnownTypeNames.ModuleOfTensor);
        var tensor = compilation.GetTypeByMetadataName(KnownTypeNames.Tensor);
        return type is INamedTypeSymbol named
            && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, moduleOfTensor)
            && named.TypeArguments.All(a => SymbolEqualityComparer.Default.Equals(a, tensor));
    }

    private static DiagnosticInfo Invalid(string target, string attributeName, string parameter, string value, string range, LocationInfo location) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHyperparameter, location, target, parameter, value, range, attributeName);

    // Points a hyperparameter diagnostic at the argument that set it rather than at the whole attribute.
    private static LocationInfo? ArgumentLocation(AttributeArgumentListSyntax? arguments, bool positional, string name, string propertyName)
    {
        var argument = arguments?.Arguments.FirstOrDefault(a => positional
            ? a.NameEquals is null && (a.NameColon is null || a.NameColon.Name.Identifier.ValueText == name)
            : a.NameEquals?.Name.Identifier.ValueText == propertyName);
        return argument is null ? null : LocationInfo.From(argument);
    }

    private static double? NamedDouble(AttributeData attribute, string name)
    {
        var value = attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value;
        return value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);
    }

    internal static bool NamedBool(AttributeData attribute, string name) =>
        attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value is true;

    private static double DefaultDouble(INamedTypeSymbol? defaults, string name, double fallback) =>
        Constant(defaults, name) is { } value ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : fallback;

    // The property initialisers of the attribute are invisible to the generator; LoraDefaults holds the same values as constants.
    private static object? Constant(INamedTypeSymbol? defaults, string name) =>
        defaults?.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue)?.ConstantValue;
}
