namespace PeftSharp.Generators.Model;

using System.Linq;
using PeftSharp.Generators.Common;

/// <summary>One annotated class with the diagnostics of all its fields, split later into source and diagnostics.</summary>
/// <param name="Model">What to generate.</param>
/// <param name="Diagnostics">What to report, without duplicates.</param>
internal sealed record AdaptableClass(AdaptableClassModel Model, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Whether generation is skipped: generated code for a broken class would only add follow-on errors.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}
