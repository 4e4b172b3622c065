namespace PeftSharp.Generators;

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Emit;
using PeftSharp.Generators.Experiments;
using PeftSharp.Generators.Adapters;
using PeftSharp.Generators.Model;
using PeftSharp.Generators.Trainable;

/// <summary>
/// Implements <c>PeftSharp.IAdaptableModel</c> on partial TorchSharp modules whose fields carry <c>[LoraTarget]</c> or
/// <c>[Trainable]</c>: the adapter plan, the trainable module list and <c>ApplyAdapters()</c>.
/// </summary>
/// <remarks>
/// Pipeline: one attribute provider per attribute parses each field into a value-only model; the fields are grouped
/// per class; each class either yields a source file or, if any error was found, only its diagnostics. Keeping symbols
/// and syntax out of the models lets an edit elsewhere reuse every cached step.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class PeftSharpGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var adapterFields = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypeNames.LoraTargetAttribute, static (node, _) => IsField(node), AdapterFieldParser.ParseLora)
            .Where(static f => f is not null)
            .Select(static (f, _) => f!)
            .WithTrackingName(TrackingNames.LoraFields);

        var ia3Fields = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypeNames.IA3TargetAttribute, static (node, _) => IsField(node), AdapterFieldParser.ParseIA3)
            .Where(static f => f is not null)
            .Select(static (f, _) => f!)
            .WithTrackingName(TrackingNames.IA3Fields);

        var classTargets = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypeNames.LoraTargetsAttribute, static (node, _) => node is ClassDeclarationSyntax, ClassTargetParser.ParseLora)
            .Collect()
            .Combine(context.SyntaxProvider
                .ForAttributeWithMetadataName(KnownTypeNames.IA3TargetsAttribute, static (node, _) => node is ClassDeclarationSyntax, ClassTargetParser.ParseIA3)
                .Collect())
            .SelectMany(static (pair, _) => pair.Left.AddRange(pair.Right).Where(f => f is not null).Select(f => f!))
            .WithTrackingName(TrackingNames.ClassTargets);

        var accessors = classTargets
            .Where(static f => !f.Diagnostics.Any(d => d.IsError))
            .SelectMany(static (f, _) => f.Accessors)
            .Collect()
            .SelectMany(static (all, _) => all.GroupBy(a => a.Owner.Key).OrderBy(g => g.Key, System.StringComparer.Ordinal).Select(g => g.ToEquatableArray()))
            .WithTrackingName(TrackingNames.Accessors);
        context.RegisterSourceOutput(accessors, static (spc, requests) =>
            spc.AddSource(requests[0].Owner.HintName, AccessorEmitter.Emit(requests.ToList())));

        var trainableFields = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypeNames.TrainableAttribute, static (node, _) => IsField(node), TrainableFieldParser.Parse)
            .Where(static f => f is not null)
            .Select(static (f, _) => f!)
            .WithTrackingName(TrackingNames.TrainableFields);

        var classes = adapterFields.Collect()
            .Combine(ia3Fields.Collect().Combine(classTargets.Collect()))
            .Combine(trainableFields.Collect())
            .SelectMany(static (fields, cancellationToken) =>
                ClassGrouper.Group(fields.Left.Left.AddRange(fields.Left.Right.Left).AddRange(fields.Left.Right.Right), fields.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Classes);

        var models = classes
            .Where(static c => !c.HasErrors)
            .Select(static (c, _) => c.Model)
            .WithTrackingName(TrackingNames.Models);

        var diagnostics = classes
            .Select(static (c, _) => c.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(TrackingNames.Diagnostics);

        var experiments = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownTypeNames.ExperimentAttribute, static (node, _) => node is ClassDeclarationSyntax, ExperimentParser.Parse)
            .Where(static e => e is not null)
            .Select(static (e, _) => e!)
            .WithTrackingName(TrackingNames.Experiments);
        context.RegisterSourceOutput(experiments, static (spc, experiment) =>
        {
            foreach (var diagnostic in experiment.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (!experiment.Diagnostics.Any(d => d.IsError))
            {
                spc.AddSource(experiment.Class.HintName, ExperimentEmitter.Emit(experiment));
            }
        });

        context.RegisterSourceOutput(models, static (spc, model) =>
            spc.AddSource(model.Class.HintName, AdaptableModelEmitter.Emit(model)));
        context.RegisterSourceOutput(diagnostics, static (spc, found) =>
        {
            foreach (var diagnostic in found.Select(d => d.ToDiagnostic()))
            {
                spc.ReportDiagnostic(diagnostic);
            }
        });
    }

    // The attribute provider hands over one variable declarator per field variable ("a, b" gives two).
    private static bool IsField(SyntaxNode node) =>
        node is VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: FieldDeclarationSyntax } };
}
