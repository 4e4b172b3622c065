namespace PeftSharp.Generators.Common;

using System.Linq;
using Microsoft.CodeAnalysis;

/// <summary>A diagnostic to report later, kept as equatable values so it can live in a cached pipeline model.</summary>
/// <param name="Descriptor">The static descriptor (compared by id and texts).</param>
/// <param name="Location">Where to report it.</param>
/// <param name="MessageArgs">The message format arguments, already rendered as strings.</param>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, params string[] messageArgs) =>
        new(descriptor, location, messageArgs.ToEquatableArray());

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.ToLocation(), MessageArgs.Cast<object>().ToArray());
}
