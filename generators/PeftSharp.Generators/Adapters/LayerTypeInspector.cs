namespace PeftSharp.Generators.Adapters;

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;

/// <summary>
/// Finds which TorchSharp layer types are assigned to a field where the compiler can see it: the field initializer
/// and simple assignments (<c>f = nn.Linear(...)</c>, <c>this.f = ...</c>) in the class's constructors. A field
/// assigned elsewhere or from a factory of its declared type yields nothing, so the runtime check remains the judge.
/// </summary>
internal static class LayerTypeInspector
{
    /// <summary>Each TorchSharp.Modules layer type assigned to <paramref name="field"/>, with the member that assigns it.</summary>
    public static IReadOnlyList<(string Layer, string AssignedIn)> AssignedLayers(
        IFieldSymbol field, Compilation compilation, CancellationToken cancellationToken)
    {
        var found = new List<(string, string)>();
        foreach (var reference in field.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } value } declarator)
            {
                Add(compilation.GetSemanticModel(declarator.SyntaxTree).GetTypeInfo(value, cancellationToken).Type, field.Name + " initializer", found);
            }
        }

        foreach (var constructor in field.ContainingType.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                SemanticModel? model = null;
                foreach (var assignment in syntax.DescendantNodes().OfType<AssignmentExpressionSyntax>())
                {
                    if (!IsFieldName(assignment.Left, field.Name))
                    {
                        continue;
                    }

                    model ??= compilation.GetSemanticModel(syntax.SyntaxTree);
                    if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol, field))
                    {
                        continue;
                    }

                    Add(model.GetTypeInfo(assignment.Right, cancellationToken).Type, field.ContainingType.Name + " constructor", found);
                }
            }
        }

        return found.Distinct().ToList();
    }

    private static bool IsFieldName(ExpressionSyntax left, string name) => left switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var member } => member.Identifier.ValueText == name,
        _ => false,
    };

    private static void Add(ITypeSymbol? type, string where, List<(string, string)> found)
    {
        if (type is INamedTypeSymbol { IsSealed: true } named
            && named.ContainingNamespace?.ToDisplayString() == KnownTypeNames.LayerNamespace)
        {
            found.Add((named.Name, where));
        }
    }
}
