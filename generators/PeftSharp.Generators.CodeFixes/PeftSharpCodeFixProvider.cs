namespace PeftSharp.Generators.CodeFixes;

using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

/// <summary>
/// The mechanical fixes of the generator's diagnostics: add <c>partial</c> (PEFT001), declare the field as
/// <c>Module&lt;Tensor, Tensor&gt;</c> (PEFT002), remove <c>readonly</c>/<c>static</c> (PEFT006), run a submodule with
/// <c>call</c> instead of <c>forward</c> (PEFT017).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PeftSharpCodeFixProvider))]
[Shared]
public sealed class PeftSharpCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["PEFT001", "PEFT002", "PEFT006", "PEFT017"];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent;
            switch (diagnostic.Id)
            {
                case "PEFT001" when node?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault() is { } type:
                    context.RegisterCodeFix(
                        CodeAction.Create($"Make '{type.Identifier.ValueText}' partial", ct => Replace(context.Document, root, type, AddPartial(type), ct), "PEFT001"),
                        diagnostic);
                    break;
                case "PEFT002" when node?.AncestorsAndSelf().OfType<FieldDeclarationSyntax>().FirstOrDefault() is { } field:
                    context.RegisterCodeFix(
                        CodeAction.Create("Declare the field as Module<Tensor, Tensor>", ct => Replace(context.Document, root, field, WithModuleType(field), ct), "PEFT002"),
                        diagnostic);
                    break;
                case "PEFT006" when node?.AncestorsAndSelf().OfType<FieldDeclarationSyntax>().FirstOrDefault() is { } field:
                    context.RegisterCodeFix(
                        CodeAction.Create("Make it a writable instance field", ct => Replace(context.Document, root, field, Writable(field), ct), "PEFT006"),
                        diagnostic);
                    break;
                case "PEFT017" when root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<InvocationExpressionSyntax>()
                    .FirstOrDefault(i => i.Span == diagnostic.Location.SourceSpan) is { Expression: MemberAccessExpressionSyntax access } invocation:
                    context.RegisterCodeFix(
                        CodeAction.Create("Run it with call()", ct => Replace(context.Document, root, invocation, WithCall(invocation, access), ct), "PEFT017"),
                        diagnostic);
                    break;
            }
        }
    }

    /// <summary>Adds <c>partial</c> just before the type keyword, where C# requires it.</summary>
    internal static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax type)
    {
        if (type.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return type;
        }

        // Without modifiers the declaration's indentation sits on the keyword; it moves to 'partial'.
        var keyword = type.Keyword;
        if (type.Modifiers.Count == 0)
        {
            var partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return type.ReplaceToken(keyword, keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial));
        }

        return type.WithModifiers(type.Modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
    }

    /// <summary>Fully qualified, so the fix needs no using directive.</summary>
    internal static FieldDeclarationSyntax WithModuleType(FieldDeclarationSyntax field)
    {
        var type = SyntaxFactory.ParseTypeName("TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>")
            .WithTriviaFrom(field.Declaration.Type);
        return field.WithDeclaration(field.Declaration.WithType(type));
    }

    internal static FieldDeclarationSyntax Writable(FieldDeclarationSyntax field)
    {
        var kept = field.Modifiers.Where(m => !m.IsKind(SyntaxKind.ReadOnlyKeyword) && !m.IsKind(SyntaxKind.StaticKeyword) && !m.IsKind(SyntaxKind.ConstKeyword)).ToList();
        var result = field.WithModifiers(SyntaxFactory.TokenList(kept));
        return kept.Count == 0 && field.Modifiers.Count > 0
            ? result.WithLeadingTrivia(field.GetLeadingTrivia())
            : result;
    }

    internal static InvocationExpressionSyntax WithCall(InvocationExpressionSyntax invocation, MemberAccessExpressionSyntax access) =>
        invocation.WithExpression(access.WithName(SyntaxFactory.IdentifierName("call").WithTriviaFrom(access.Name)));

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode oldNode, SyntaxNode newNode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode)));
    }
}
