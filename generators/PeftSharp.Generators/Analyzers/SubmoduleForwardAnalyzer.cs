namespace PeftSharp.Generators.Analyzers;

using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PeftSharp.Generators.Diagnostics;

/// <summary>
/// Reports a module's code running another module with <c>forward(...)</c> where <c>call(...)</c> exists: TorchSharp
/// runs a module's hooks only through <c>call()</c>, so forward hooks, and the input casts that a bfloat16 frozen base
/// (<c>--base-dtype bfloat16</c>) registers as hooks, are skipped.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SubmoduleForwardAnalyzer : DiagnosticAnalyzer
{
    private const string ModuleTypeName = "TorchSharp.torch+nn+Module";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.SubmoduleForward);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(ModuleTypeName) is { } module)
            {
                start.RegisterOperationAction(operation => Analyze(operation, module), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol module)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var forward = invocation.TargetMethod;
        if (forward.Name != "forward"
            || invocation.Instance is null or IInstanceReferenceOperation
            || invocation.Instance.Type is not { } receiver
            || !DerivesFrom(receiver, module)
            || context.ContainingSymbol.ContainingType is not { } caller
            || !DerivesFrom(caller, module)
            || !HasCall(receiver, forward.Parameters.Length))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.SubmoduleForward, invocation.Syntax.GetLocation(), invocation.Instance.Syntax.ToString()));
    }

    private static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    // Module<T, TResult> and its siblings declare call() with forward's arity; the plain Module base has none.
    private static bool HasCall(ITypeSymbol type, int arity)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetMembers("call").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == arity))
            {
                return true;
            }
        }

        return false;
    }
}
