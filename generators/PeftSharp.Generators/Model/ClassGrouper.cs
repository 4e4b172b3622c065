namespace PeftSharp.Generators.Model;

using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using PeftSharp.Generators.Common;

/// <summary>Gathers the annotated fields of each class into one model, since one file is generated per class.</summary>
internal static class ClassGrouper
{
    public static ImmutableArray<AdaptableClass> Group(
        ImmutableArray<AnnotatedField> adapterFields,
        ImmutableArray<AnnotatedField> trainableFields,
        CancellationToken cancellationToken) =>
        [
            .. adapterFields.Concat(trainableFields)
                .GroupBy(f => f.Class.Key, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // File then position: declaration order, independent of the order the compilation lists its trees.
                    var fields = g.OrderBy(f => f.FilePath, StringComparer.Ordinal).ThenBy(f => f.Position).ToList();
                    var model = new AdaptableClassModel(
                        fields[0].Class,
                        fields.Where(f => f.Adapter is not null).Select(f => f.Adapter!).Concat(fields.SelectMany(f => f.Nested)).ToEquatableArray(),
                        fields.Where(f => f.TrainableModule is not null).Select(f => f.TrainableModule!).ToEquatableArray());

                    // Class-level problems (PEFT001, PEFT005) are found once per field; report them once.
                    var diagnostics = fields.SelectMany(f => f.Diagnostics).Distinct().ToEquatableArray();
                    return new AdaptableClass(model, diagnostics);
                }),
        ];
}
