namespace PeftSharp.Generators.Adapters;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Diagnostics;
using PeftSharp.Generators.Model;

/// <summary>
/// Resolves <c>[LoraTargets]</c> / <c>[IA3Targets]</c> on a model class against the module tree visible at compile
/// time: the class's module fields, the fields of child module classes, and the element type of <c>ModuleList&lt;T&gt;</c>
/// fields (every element is targeted; the index becomes part of the path at run time).
/// </summary>
/// <remarks>
/// Reaching a private field of a child class without reflection needs code inside that class, so the generator adds an
/// internal <c>__peft_&lt;field&gt;</c> property to each partial child class on the way (<see cref="AccessorRequest"/>).
/// A public field needs none. A child class that is neither partial nor exposes the field gets PEFT011.
/// </remarks>
internal static class ClassTargetParser
{
    private const int MaxDepth = 8;

    private sealed record Candidate(
        string Template,
        IFieldSymbol Field,
        string? OwnerExpression,
        string Member,
        string Path,
        List<string> Loops,
        List<AccessorRequest> Accessors,
        string? Problem,
        string? Fix);

    public static AnnotatedField? ParseLora(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, cancellationToken);

    public static AnnotatedField? ParseIA3(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        context.TargetSymbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownTypeNames.LoraTargetsAttribute)
            ? null // The LoRA provider handles a class with both, so conflicts between them are seen together.
            : Parse(context, cancellationToken);

    private static AnnotatedField? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol root || context.TargetNode is not TypeDeclarationSyntax declaration)
        {
            return null;
        }

        var compilation = context.SemanticModel.Compilation;
        var diagnostics = new List<DiagnosticInfo>();
        var targetClass = TargetClassParser.Parse(root, declaration, compilation, diagnostics);
        var candidates = new List<Candidate>();
        Visit(root, root, compilation, "this", string.Empty, string.Empty, [], [], null, null, 0, [root], candidates, cancellationToken);

        var nested = new List<AdapterFieldModel>();
        var accessors = new List<AccessorRequest>();
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in root.GetAttributes())
        {
            var attributeName = attribute.AttributeClass?.ToDisplayString() switch
            {
                KnownTypeNames.LoraTargetsAttribute => "LoraTargets",
                KnownTypeNames.IA3TargetsAttribute => "IA3Targets",
                _ => null,
            };
            if (attributeName is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
            {
                continue;
            }

            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            var location = syntax is null ? LocationInfo.From(declaration.Identifier) : LocationInfo.From(syntax);
            var settings = Settings(attribute, attributeName);
            if (attributeName == "LoraTargets")
            {
                AdapterFieldParser.CheckRanges(root.Name, attributeName, settings, (syntax as AttributeSyntax)?.ArgumentList, location, positionalRank: false, diagnostics);
            }

            var matched = new HashSet<Candidate>();
            var names = attribute.ConstructorArguments.FirstOrDefault() is { Kind: TypedConstantKind.Array } array
                ? array.Values.Select(v => v.Value as string).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList()
                : [];
            foreach (var name in names)
            {
                var hits = candidates.Where(c => MatchesName(c.Template, name)).ToList();
                if (hits.Count == 0)
                {
                    diagnostics.Add(NoMatch(attributeName, root.Name, $"'{name}'", candidates, location));
                }

                matched.UnionWith(hits);
            }

            if (attribute.NamedArguments.FirstOrDefault(a => a.Key == "Pattern").Value.Value is string pattern)
            {
                Regex? regex = null;
                try
                {
                    regex = new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.TargetMatchesNothing, location, attributeName, root.Name, $"Pattern '{pattern}' is not a valid regular expression ({e.Message})", "fix the pattern"));
                }

                if (regex is not null)
                {
                    var hits = candidates.Where(c => regex.IsMatch(c.Template.Replace("*", "0"))).ToList();
                    if (hits.Count == 0)
                    {
                        diagnostics.Add(NoMatch(attributeName, root.Name, $"Pattern '{pattern}'", candidates, location));
                    }

                    matched.UnionWith(hits);
                }
            }

            foreach (var candidate in candidates.Where(matched.Contains))
            {
                var display = candidate.Template.Replace("*", "<i>");
                if (claimed.TryGetValue(candidate.Template, out var other))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TargetedTwice, location, display, other, $"[{attributeName}]"));
                    continue;
                }

                claimed[candidate.Template] = $"[{attributeName}]";
                if (SymbolEqualityComparer.Default.Equals(candidate.Field.ContainingType, root))
                {
                    foreach (var (attr, label) in new[] { (KnownTypeNames.LoraTargetAttribute, "[LoraTarget]"), (KnownTypeNames.IA3TargetAttribute, "[IA3Target]") })
                    {
                        if (FieldInspector.HasAttribute(candidate.Field, attr))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TargetedTwice, location, display, label, $"[{attributeName}]"));
                        }
                    }

                    if (FieldInspector.HasAttribute(candidate.Field, KnownTypeNames.TrainableAttribute))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AdapterAndTrainable, location, display, attributeName));
                    }
                }

                if (candidate.Problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.NestedLayerUnreachable, location, attributeName, root.Name, display, candidate.Problem, candidate.Fix!));
                    continue;
                }

                var adapter = settings with
                {
                    FieldName = candidate.Member,
                    ComponentName = FieldInspector.ComponentName(candidate.Field),
                    IsNullable = true,
                    OwnerExpression = candidate.OwnerExpression,
                    Accessor = candidate.OwnerExpression is null ? null : candidate.Member,
                    Path = candidate.Path,
                    Loops = candidate.Loops.ToEquatableArray(),
                };
                AdapterFieldParser.CheckLayerType(candidate.Field, adapter, compilation, location, diagnostics, cancellationToken, display);
                nested.Add(adapter);
                accessors.AddRange(candidate.Accessors);
            }
        }

        return new AnnotatedField(targetClass, declaration.SyntaxTree.FilePath, declaration.SpanStart, null, null, diagnostics.Distinct().ToEquatableArray())
        {
            Nested = nested.ToEquatableArray(),
            Accessors = accessors.Distinct().ToEquatableArray(),
        };
    }

    private static AdapterFieldModel Settings(AttributeData attribute, string attributeName)
    {
        if (attributeName == "IA3Targets")
        {
            return new AdapterFieldModel(string.Empty, string.Empty, AdapterMethods.IA3, 1, 1, 0, true)
            {
                FeedForward = AdapterFieldParser.NamedBool(attribute, "FeedForward"),
            };
        }

        var rank = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Rank").Value.Value is int r
            ? r
            : AdapterFieldParser.DefaultRank(attribute.AttributeClass!);
        return AdapterFieldParser.ReadLoraSettings(attribute, attribute.AttributeClass!, rank);
    }

    // The reference's rule: the whole path, or its tail after a dot; a ModuleList index ("*") matches any index.
    private static bool MatchesName(string template, string name)
    {
        var path = template.Split('.');
        var wanted = name.Split('.');
        if (wanted.Length > path.Length)
        {
            return false;
        }

        for (var i = 0; i < wanted.Length; i++)
        {
            var p = path[path.Length - wanted.Length + i];
            var w = wanted[wanted.Length - wanted.Length + i];
            if (!(p == w || (p == "*" && (w == "*" || w.All(char.IsDigit)))))
            {
                return false;
            }
        }

        return true;
    }

    private static DiagnosticInfo NoMatch(string attributeName, string root, string what, List<Candidate> candidates, LocationInfo location) =>
        DiagnosticInfo.Create(
            DiagnosticDescriptors.TargetMatchesNothing,
            location,
            attributeName,
            root,
            $"{what} matches no layer in the module tree visible at compile time",
            candidates.Count == 0
                ? "no Module<Tensor, Tensor> layer fields were found"
                : "layers that can be adapted: " + string.Join(", ", candidates.Select(c => c.Template.Replace("*", "<i>"))));

    private static void Visit(
        INamedTypeSymbol type,
        INamedTypeSymbol root,
        Compilation compilation,
        string ownerExpression,
        string pathPrefix,
        string sinceLoop,
        List<string> loops,
        List<AccessorRequest> accessors,
        string? problem,
        string? fix,
        int depth,
        HashSet<ITypeSymbol> stack,
        List<Candidate> candidates,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var module = compilation.GetTypeByMetadataName(KnownTypeNames.Module);
        var moduleList = compilation.GetTypeByMetadataName(KnownTypeNames.ModuleList);
        foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.IsStatic || field.IsConst || field.IsImplicitlyDeclared || field.Type is not INamedTypeSymbol fieldType
                || !(SymbolEqualityComparer.Default.Equals(fieldType, module) || TargetClassParser.DerivesFrom(fieldType, module)))
            {
                continue;
            }

            var component = FieldInspector.ComponentName(field);
            var escaped = SyntaxFacts.GetKeywordKind(field.Name) != SyntaxKind.None ? "@" + field.Name : field.Name;
            var isLayer = AdapterFieldParser.IsModuleOfTensor(fieldType, compilation)
                || (fieldType.IsSealed && fieldType.ContainingNamespace?.ToDisplayString() == KnownTypeNames.LayerNamespace);
            var isList = SymbolEqualityComparer.Default.Equals(fieldType.OriginalDefinition, moduleList);

            // How the generated code reaches this field from its owner.
            string member = escaped;
            var hopAccessors = new List<AccessorRequest>(accessors);
            string? hopProblem = problem, hopFix = fix;
            if (hopProblem is null && !SymbolEqualityComparer.Default.Equals(type, root) && !compilation.IsSymbolAccessibleWithin(field, root))
            {
                if (IsPartialInSource(type))
                {
                    member = "__peft_" + field.Name;
                    var syntax = (TypeDeclarationSyntax)type.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
                    var owner = TargetClassParser.Parse(type, syntax, compilation, [], "accessors", requireModule: false);
                    owner = owner with { HintName = owner.HintName.Replace(".PeftSharp.g.cs", ".PeftSharpAccessors.g.cs") };
                    hopAccessors.Add(new AccessorRequest(owner, escaped, member, fieldType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), isLayer));
                }
                else
                {
                    hopProblem = type.DeclaringSyntaxReferences.Length > 0
                        ? $"a non-public field of '{type.Name}', which is not partial"
                        : $"a non-public field of '{type.Name}', which is compiled elsewhere";
                    hopFix = type.DeclaringSyntaxReferences.Length > 0
                        ? $"make '{type.Name}' (and the types it is nested in) partial so the generator can add an accessor, or make the field public"
                        : "target it at run time by name instead (PeftModel.Create with a PeftConfig naming it in TargetModules), since the generator cannot see into that class";
                }
            }

            var hop = $"{ownerExpression}.{member}";
            if (isLayer)
            {
                string? leafProblem = hopProblem, leafFix = hopFix;
                if (leafProblem is null && !AdapterFieldParser.IsModuleOfTensor(fieldType, compilation))
                {
                    leafProblem = $"declared as '{fieldType.ToDisplayString()}' in '{type.Name}', a sealed layer type that cannot hold the adapter wrapper";
                    leafFix = "declare the field as Module<Tensor, Tensor>";
                }
                else if (leafProblem is null && field.IsReadOnly)
                {
                    leafProblem = $"a readonly field of '{type.Name}'";
                    leafFix = "remove readonly so the wrapper can be assigned";
                }

                var path = sinceLoop + component;
                candidates.Add(new Candidate(
                    pathPrefix + component,
                    field,
                    ownerExpression == "this" && loops.Count == 0 ? null : ownerExpression,
                    member,
                    path,
                    loops,
                    hopAccessors,
                    leafProblem,
                    leafFix));
                continue;
            }

            if (depth >= MaxDepth)
            {
                continue;
            }

            if (isList && fieldType.TypeArguments.FirstOrDefault() is INamedTypeSymbol element && IsUserModule(element) && stack.Add(element))
            {
                var level = loops.Count / 2;
                var nextLoops = new List<string>(loops) { hop + "!", (loops.Count == 0 ? string.Empty : ".") + sinceLoop + component + "." };
                Visit(element, root, compilation, $"__peftItem{level}", pathPrefix + component + ".*.", string.Empty, nextLoops, hopAccessors, hopProblem, hopFix, depth + 1, stack, candidates, cancellationToken);
                stack.Remove(element);
            }
            else if (!isList && IsUserModule(fieldType) && stack.Add(fieldType))
            {
                Visit(fieldType, root, compilation, hop + "!", pathPrefix + component + ".", sinceLoop + component + ".", loops, hopAccessors, hopProblem, hopFix, depth + 1, stack, candidates, cancellationToken);
                stack.Remove(fieldType);
            }
        }
    }

    // TorchSharp's own containers keep children in private lists; only user classes have fields the generator can follow.
    private static bool IsUserModule(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Class && type.ContainingNamespace?.ToDisplayString().StartsWith("TorchSharp", StringComparison.Ordinal) != true;

    private static bool IsPartialInSource(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0
        && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax d
            && d.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().All(t => t.Modifiers.Any(SyntaxKind.PartialKeyword)));
}
