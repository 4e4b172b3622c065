namespace PeftSharp.Generators.Model;

using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Diagnostics;

/// <summary>Describes the class around an annotated field and checks that code can be generated into it.</summary>
internal static class TargetClassParser
{
    private static readonly SymbolDisplayFormat NamespaceFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    /// <summary>
    /// Builds the class description from the declarations enclosing <paramref name="fieldDeclarator"/> and adds
    /// PEFT001 (a declaration is not partial) and PEFT005 (not an nn.Module) to <paramref name="diagnostics"/>.
    /// </summary>
    public static TargetClassInfo Parse(
        INamedTypeSymbol type,
        SyntaxNode fieldDeclarator,
        Compilation compilation,
        List<DiagnosticInfo> diagnostics,
        string purpose = "adapter wiring",
        bool requireModule = true)
    {
        // Innermost first as found; the generated file reopens them outermost first.
        var enclosing = fieldDeclarator.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().ToList();
        foreach (var declaration in enclosing.Where(d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.TypeNotPartial,
                LocationInfo.From(declaration.Identifier),
                Keyword(declaration),
                declaration.Identifier.ValueText,
                type.Name,
                purpose));
        }

        var module = compilation.GetTypeByMetadataName(KnownTypeNames.Module);
        if (requireModule && (type.TypeKind != TypeKind.Class || !DerivesFrom(type, module)))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.NotAModule, LocationInfo.From(enclosing[0].Identifier), type.Name));
        }

        enclosing.Reverse();
        var declarations = enclosing
            .Select(d => new TypeDeclarationInfo(Keyword(d), d.Identifier.Text, TypeParameters(d)))
            .ToEquatableArray();
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing
            ? containing.ToDisplayString(NamespaceFormat)
            : null;
        return new TargetClassInfo(
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            HintName(ns, enclosing),
            ns,
            declarations,
            type.Name);
    }

    /// <summary>Whether <paramref name="type"/> derives from <paramref name="baseType"/> at any depth.</summary>
    public static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    // Names and variance only: partial declarations must repeat variance, and repeating attributes would duplicate them.
    private static string TypeParameters(TypeDeclarationSyntax declaration)
    {
        if (declaration.TypeParameterList is not { Parameters.Count: > 0 } list)
        {
            return string.Empty;
        }

        var parameters = list.Parameters.Select(p =>
            p.VarianceKeyword.IsKind(SyntaxKind.None) ? p.Identifier.Text : $"{p.VarianceKeyword.Text} {p.Identifier.Text}");
        return $"<{string.Join(", ", parameters)}>";
    }

    // "<Namespace>.<Outer>.<Class>.PeftSharp.g.cs"; generic arity keeps Foo and Foo<T> apart.
    internal static string HintName(string? ns, IEnumerable<TypeDeclarationSyntax> outermostFirst, string suffix = ".PeftSharp.g.cs")
    {
        var parts = new List<string>();
        if (ns is not null)
        {
            parts.Add(ns);
        }

        parts.AddRange(outermostFirst.Select(d =>
            d.TypeParameterList is { Parameters.Count: > 0 } list
                ? $"{d.Identifier.ValueText}_{list.Parameters.Count}"
                : d.Identifier.ValueText));
        var builder = new StringBuilder();
        foreach (var c in string.Join(".", parts))
        {
            builder.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        }

        return builder.Append(suffix).ToString();
    }
}
