namespace PeftSharp.Generators.Model;

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using PeftSharp.Generators.Common;

/// <summary>Facts about an annotated field that every attribute kind needs.</summary>
internal static class FieldInspector
{
    /// <summary>
    /// The name TorchSharp's <c>RegisterComponents()</c> registers the field under: the <c>Name</c> of a
    /// <c>[ComponentName]</c> attribute when present, otherwise the field name. It is the state-dict key, hence the path.
    /// </summary>
    public static string ComponentName(IFieldSymbol field)
    {
        foreach (var attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != KnownTypeNames.ComponentNameAttribute)
            {
                continue;
            }

            var named = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;
            var positional = attribute.ConstructorArguments.FirstOrDefault(a => a.Value is string).Value as string;
            if (!string.IsNullOrEmpty(named ?? positional))
            {
                return (named ?? positional)!;
            }
        }

        return field.Name;
    }

    /// <summary>Whether the field also carries the attribute with metadata name <paramref name="attributeName"/>.</summary>
    public static bool HasAttribute(IFieldSymbol field, string attributeName) =>
        field.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attributeName);

    /// <summary>
    /// Adds PEFT006 when the field is static or const, or readonly unless <paramref name="allowReadOnly"/>:
    /// TorchSharp registers instance fields only, and an adapter field must be assignable.
    /// </summary>
    public static void CheckModifiers(
        IFieldSymbol field,
        string attributeName,
        bool allowReadOnly,
        string reason,
        LocationInfo location,
        List<DiagnosticInfo> diagnostics)
    {
        var forbidden = new List<string>();
        if (field.IsConst)
        {
            forbidden.Add("const");
        }
        else if (field.IsStatic)
        {
            forbidden.Add("static");
        }

        if (field.IsReadOnly && !allowReadOnly)
        {
            forbidden.Add("readonly");
        }

        if (forbidden.Count == 0)
        {
            return;
        }

        diagnostics.Add(DiagnosticInfo.Create(
            Diagnostics.DiagnosticDescriptors.FieldNotAssignable,
            location,
            attributeName,
            field.Name,
            string.Join(" ", forbidden),
            reason,
            string.Join(" and ", forbidden.Select(m => $"'{m}'"))));
    }
}
