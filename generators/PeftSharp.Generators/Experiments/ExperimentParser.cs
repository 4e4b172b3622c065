namespace PeftSharp.Generators.Experiments;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Diagnostics;
using PeftSharp.Generators.Model;

/// <summary>Reads an <c>[Experiment]</c> class: its hyperparameter properties, model and dataset members, and checks them.</summary>
internal static class ExperimentParser
{
    // Options every experiment understands; a parameter may not take their names.
    private static readonly string[] Reserved = ["help", "config", "sweep", "trials", "sweep-seed"];

    public static ExperimentModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type
            || context.TargetNode is not TypeDeclarationSyntax declaration
            || context.Attributes.FirstOrDefault() is not { } attribute)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var compilation = context.SemanticModel.Compilation;
        var diagnostics = new List<DiagnosticInfo>();
        var targetClass = TargetClassParser.Parse(type, declaration, compilation, diagnostics, "experiment binding", requireModule: false);
        var classLocation = LocationInfo.From(declaration.Identifier);
        var name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? type.Name;
        var description = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Description").Value.Value as string ?? string.Empty;

        string modelMember = string.Empty, datasetMember = string.Empty;
        var parameters = new List<ParameterModel>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasAttribute(member, KnownTypeNames.ModelAttribute))
            {
                modelMember = member.Name;
                continue;
            }

            if (HasAttribute(member, KnownTypeNames.DatasetAttribute))
            {
                datasetMember = member.Name;
                continue;
            }

            if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, SetMethod.DeclaredAccessibility: Accessibility.Public } property)
            {
                continue;
            }

            var location = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is PropertyDeclarationSyntax p
                ? LocationInfo.From(p.Identifier)
                : classLocation;
            var parameter = ParseParameter(property, name, location, diagnostics);
            if (parameter is null)
            {
                continue;
            }

            if (Reserved.Contains(parameter.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateParameterName, location, property.Name, "the built-in option", name, parameter.Name));
            }
            else if (byName.TryGetValue(parameter.Name, out var first))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateParameterName, location, first, property.Name, name, parameter.Name));
            }
            else
            {
                byName[parameter.Name] = property.Name;
            }

            parameters.Add(parameter);
        }

        if (modelMember.Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ExperimentWithoutModelOrDataset, classLocation, type.Name, "model", "[Model]"));
        }

        if (datasetMember.Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ExperimentWithoutModelOrDataset, classLocation, type.Name, "dataset", "[Dataset]"));
        }

        return new ExperimentModel(
            targetClass with { HintName = targetClass.HintName.Replace(".PeftSharp.g.cs", ".Experiment.g.cs") },
            name,
            description,
            parameters.ToEquatableArray(),
            modelMember,
            datasetMember,
            diagnostics.ToEquatableArray());
    }

    private static ParameterModel? ParseParameter(IPropertySymbol property, string experiment, LocationInfo location, List<DiagnosticInfo> diagnostics)
    {
        var type = property.Type;
        var isNullable = false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
            isNullable = true;
        }

        var (kind, reader, typeName) = type.SpecialType switch
        {
            SpecialType.System_Int32 => ("Whole32", "ReadInt32", "int"),
            SpecialType.System_Int64 => ("Whole64", "ReadInt64", "long"),
            SpecialType.System_Double => ("Real64", "ReadDouble", "double"),
            SpecialType.System_Single => ("Real32", "ReadSingle", "float"),
            SpecialType.System_Boolean => ("Flag", "ReadBoolean", "bool"),
            SpecialType.System_String => ("Text", "ReadString", "string"),
            _ when type.TypeKind == TypeKind.Enum => ("Choice", "ReadEnum", type.Name),
            _ => (string.Empty, string.Empty, string.Empty),
        };
        if (kind.Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.UnsupportedHyperparameterType, location, property.Name, experiment, property.Type.ToDisplayString()));
            return null;
        }

        if (kind == "Text" && property.NullableAnnotation == NullableAnnotation.Annotated)
        {
            isNullable = true;
        }

        var readMethod = (isNullable ? "ReadNullable" + reader.Substring(4) : reader)
            + (kind == "Choice" ? $"<{type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>" : string.Empty);
        var attribute = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.HyperparameterAttribute);
        string? Named(string key) => attribute?.NamedArguments.FirstOrDefault(a => a.Key == key).Value.Value as string;
        double NamedDouble(string key) => attribute?.NamedArguments.FirstOrDefault(a => a.Key == key).Value.Value is double d ? d : double.NaN;
        string[] NamedArray(string key) => attribute?.NamedArguments.FirstOrDefault(a => a.Key == key).Value is { Kind: TypedConstantKind.Array, IsNull: false } array
            ? array.Values.Select(v => v.Value as string ?? string.Empty).ToArray()
            : [];

        var name = Named("Name") ?? Case(property.Name, '-');
        var min = NamedDouble("Min");
        var max = NamedDouble("Max");
        var allowed = NamedArray("Allowed");
        var sweep = NamedArray("Sweep");
        if (EnumMembers(type) is { } members && allowed.Length == 0)
        {
            allowed = members;
        }

        void Inconsistent(string problem) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHyperparameterDeclaration, location, property.Name, problem));

        if (name.Length == 0 || name.StartsWith("-", StringComparison.Ordinal) || name.Any(c => char.IsWhiteSpace(c) || c == '='))
        {
            Inconsistent($"the command-line name '{name}' must be non-empty and have no leading dash, whitespace or '='; write it like learning-rate");
        }

        var numeric = kind is "Whole32" or "Whole64" or "Real64" or "Real32";
        if (!numeric && (!double.IsNaN(min) || !double.IsNaN(max)))
        {
            Inconsistent($"Min and Max apply to numbers, but the type is {typeName}; remove them or use Allowed");
        }

        if (min > max)
        {
            Inconsistent($"Min ({Literals.Format(min)}) is greater than Max ({Literals.Format(max)}); swap them");
        }

        foreach (var value in allowed.Concat(sweep))
        {
            if (!Valid(kind, type, value, min, max, out var why))
            {
                Inconsistent($"the value '{value}' in Allowed or Sweep {why}");
            }
            else if (sweep.Contains(value) && NamedArray("Allowed").Length > 0 && !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                Inconsistent($"the sweep value '{value}' is not one of the allowed values ({string.Join(", ", allowed)}); add it to Allowed or remove it from Sweep");
            }
        }

        var display = typeName + (isNullable ? "?" : string.Empty);
        return new ParameterModel(
            SyntaxFacts.GetKeywordKind(property.Name) != SyntaxKind.None ? "@" + property.Name : property.Name,
            name,
            Case(property.Name, '_'),
            Named("EnvironmentVariable") ?? "PEFTSHARP_" + name.Replace('-', '_').ToUpperInvariant(),
            kind,
            display,
            readMethod,
            isNullable,
            Named("Description") ?? string.Empty,
            min,
            max,
            allowed.ToEquatableArray(),
            sweep.ToEquatableArray());
    }

    private static string[]? EnumMembers(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Enum ? type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => f.Name).ToArray() : null;

    // The runtime parses the same way: invariant numbers, true/false, enum member names.
    private static bool Valid(string kind, ITypeSymbol type, string value, double min, double max, out string why)
    {
        why = string.Empty;
        switch (kind)
        {
            case "Whole32" or "Whole64" or "Real64" or "Real32":
                var integral = kind is "Whole32" or "Whole64";
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    || (integral && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
                {
                    why = integral ? "is not an integer" : "is not a number";
                    return false;
                }

                if (number < min || number > max)
                {
                    why = $"is outside [{Literals.Format(min)}, {Literals.Format(max)}]";
                    return false;
                }

                return true;
            case "Flag":
                why = "is not true or false";
                return value is "true" or "false";
            case "Choice":
                why = $"is not a member of {type.Name}";
                return EnumMembers(type)!.Contains(value, StringComparer.OrdinalIgnoreCase);
            default:
                return true;
        }
    }

    private static bool HasAttribute(ISymbol symbol, string name) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);

    /// <summary>LearningRate -> learning-rate (or learning_rate); acronyms stay together (HTTPPort -> http-port).</summary>
    internal static string Case(string name, char separator)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0
                && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
            {
                builder.Append(separator);
            }

            builder.Append(c == '_' ? separator : char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
