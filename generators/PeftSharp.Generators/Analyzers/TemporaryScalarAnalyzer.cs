namespace PeftSharp.Generators.Analyzers;

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PeftSharp.Generators.Diagnostics;

/// <summary>
/// Reports TorchSharp <c>Scalar</c> objects created as temporaries: an implicit or explicit conversion such as
/// <c>tensor.mul(0.5)</c>, a <c>ToScalar()</c> call used in place, or a <c>Tensor</c> operator with a number operand
/// (<c>tensor * 0.5</c>, <c>1 - tensor</c>), which TorchSharp turns into a temporary Scalar inside the operator.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 passes <c>scalar.Handle</c> to LibTorch and does not keep the <c>Scalar</c> alive during the native
/// call. A temporary is unreachable from that moment, so a garbage collection on any thread can run its finalizer,
/// which frees the native scalar while LibTorch is still reading it: the call then fails with "Unknown scalar type" or
/// "Scalar::toFloat: Expected false to be true", or reads another value. A <c>using</c> local or a field disposed
/// with its owner keeps the object reachable until after the call, which is the only reliable fix on the caller's side.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TemporaryScalarAnalyzer : DiagnosticAnalyzer
{
    private const string ScalarTypeName = "TorchSharp.Scalar";
    private const string ScalarExtensionsTypeName = "TorchSharp.ScalarExtensionMethods";
    private const string TensorTypeName = "TorchSharp.torch+Tensor";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.TemporaryScalar);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName(ScalarTypeName);
            var extensions = start.Compilation.GetTypeByMetadataName(ScalarExtensionsTypeName);
            var tensor = start.Compilation.GetTypeByMetadataName(TensorTypeName);
            if (scalar is null)
            {
                return;
            }

            if (tensor is not null)
            {
                start.RegisterOperationAction(
                    operation => AnalyzeOperator(operation, tensor),
                    OperationKind.Binary,
                    OperationKind.CompoundAssignment);
            }

            start.RegisterOperationAction(
                operation => AnalyzeConversion(operation, scalar),
                OperationKind.Conversion);
            if (extensions is not null)
            {
                start.RegisterOperationAction(
                    operation => AnalyzeToScalarCall(operation, extensions),
                    OperationKind.Invocation);
            }
        });
    }

    private static void AnalyzeConversion(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.OperatorMethod is not { } method
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, scalar)
            || !SymbolEqualityComparer.Default.Equals(conversion.Type, scalar))
        {
            return;
        }

        ReportIfTemporary(context, conversion, conversion.Operand.Type?.ToDisplayString() ?? "value");
    }

    private static void AnalyzeToScalarCall(OperationAnalysisContext context, INamedTypeSymbol extensions)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "ToScalar"
            || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, extensions))
        {
            return;
        }

        ReportIfTemporary(context, invocation, "ToScalar()");
    }

    private static void AnalyzeOperator(OperationAnalysisContext context, INamedTypeSymbol tensor)
    {
        var method = context.Operation switch
        {
            IBinaryOperation binary => binary.OperatorMethod,
            ICompoundAssignmentOperation compound => compound.OperatorMethod,
            _ => null,
        };
        if (method is null || !SymbolEqualityComparer.Default.Equals(method.ContainingType, tensor))
        {
            return;
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.TemporaryScalar,
                    context.Operation.Syntax.GetLocation(),
                    $"{parameter.Type.ToDisplayString()} operand of a Tensor operator"));
                return;
            }
        }
    }

    private static void ReportIfTemporary(OperationAnalysisContext context, IOperation creation, string source)
    {
        if (IsHeld(creation))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.TemporaryScalar, creation.Syntax.GetLocation(), source));
    }

    /// <summary>
    /// A created Scalar is held when it initialises a <c>using</c> local, is assigned to a field or property (the owner
    /// disposes it), or is returned (the caller holds it).
    /// </summary>
    private static bool IsHeld(IOperation creation)
    {
        var parent = creation.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        switch (parent)
        {
            case IReturnOperation:
                return true;
            case ISimpleAssignmentOperation assignment:
                return assignment.Target is IFieldReferenceOperation or IPropertyReferenceOperation;
            case IFieldInitializerOperation or IPropertyInitializerOperation:
                return true;
            case IVariableInitializerOperation initializer:
                for (IOperation? node = initializer.Parent; node is not null; node = node.Parent)
                {
                    if (node is IUsingDeclarationOperation or IUsingOperation)
                    {
                        return true;
                    }

                    if (node is not (IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableDeclarationGroupOperation))
                    {
                        return false;
                    }
                }

                return false;
            default:
                return false;
        }
    }
}
