namespace PeftSharp.Generators.Emit;

using System.Globalization;
using System.Linq;
using System.Text;
using System.Collections.Generic;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Model;

/// <summary>
/// Writes the <c>IAdaptableModel</c> implementation of one class. Every type name is written with <c>global::</c>
/// so user types or usings named like TorchSharp's cannot change what the generated code binds to.
/// </summary>
internal static class AdaptableModelEmitter
{
    private const string AdapterTarget = "global::PeftSharp.AdapterTarget";
    private const string ReadOnlyList = "global::System.Collections.Generic.IReadOnlyList";

    public static string Emit(AdaptableClassModel model) =>
        PartialTypeFile.Write(model.Class, "#nullable enable", "global::PeftSharp.IAdaptableModel", writer => EmitMembers(writer, model));

    private static void EmitMembers(IndentedWriter writer, AdaptableClassModel model)
    {
        var fixedAdapters = model.Adapters.Where(a => a.Loops.Count == 0).ToList();
        var hasLoops = fixedAdapters.Count != model.Adapters.Count;
        if (fixedAdapters.Count == 0)
        {
            writer.Line($"private static readonly {AdapterTarget}[] __peftAdapterPlan = global::System.Array.Empty<{AdapterTarget}>();");
        }
        else
        {
            writer.Line($"private static readonly {AdapterTarget}[] __peftAdapterPlan = new {AdapterTarget}[]");
            writer.Open();
            foreach (var adapter in fixedAdapters)
            {
                writer.Line(NewTarget(adapter, Literals.String(adapter.Path ?? adapter.ComponentName)) + ",");
            }

            writer.Close("};");
        }

        writer.Line();
        writer.Line(model.TrainableModules.Count == 0
            ? "private static readonly string[] __peftTrainableModules = global::System.Array.Empty<string>();"
            : $"private static readonly string[] __peftTrainableModules = new string[] {{ {string.Join(", ", model.TrainableModules.Select(Literals.String))} }};");
        writer.Line();
        writer.Line("private bool __peftAdaptersApplied;");
        writer.Line();
        writer.Line("/// <inheritdoc />");
        writer.Line(hasLoops
            ? $"public {ReadOnlyList}<{AdapterTarget}> AdapterPlan => __peftVisit(null, wrap: false);"
            : $"public {ReadOnlyList}<{AdapterTarget}> AdapterPlan => __peftAdapterPlan;");
        writer.Line();
        writer.Line("/// <inheritdoc />");
        writer.Line($"public {ReadOnlyList}<string> TrainableModules => __peftTrainableModules;");
        writer.Line();
        writer.Line("/// <inheritdoc />");
        writer.Line($"public {ReadOnlyList}<{AdapterTarget}> ApplyAdapters(global::PeftSharp.AdapterOverrides? adapterOverrides = null)");
        writer.Open();

        // Wrapping twice would nest adapters and re-register modules; the runtime cannot undo it, so refuse early.
        writer.Line("if (__peftAdaptersApplied)");
        writer.Open();
        writer.Line($"throw new global::System.InvalidOperationException({Literals.String($"Adapters were already applied to {model.Class.Name}.")});");
        writer.Close();
        writer.Line();
        writer.Line("var applied = __peftVisit(adapterOverrides, wrap: true);");
        writer.Line("global::PeftSharp.AdapterWiring.Freeze(this, __peftTrainableModules);");
        writer.Line("__peftAdaptersApplied = true;");
        writer.Line("return applied;");
        writer.Close();
        writer.Line();

        // One walk serves both the plan (wrap: false) and ApplyAdapters (wrap: true), so they cannot disagree.
        writer.Line($"private global::System.Collections.Generic.List<{AdapterTarget}> __peftVisit(global::PeftSharp.AdapterOverrides? adapterOverrides, bool wrap)");
        writer.Open();
        writer.Line($"var applied = new global::System.Collections.Generic.List<{AdapterTarget}>();");
        var fixedIndex = 0;
        foreach (var adapter in model.Adapters)
        {
            if (adapter.Loops.Count == 0)
            {
                EmitWrap(writer, adapter, $"__peftAdapterPlan[{Literals.Int(fixedIndex++)}]");
                continue;
            }

            var path = new StringBuilder();
            for (var i = 0; i < adapter.Loops.Count; i += 2)
            {
                var level = Literals.Int(i / 2);
                writer.Line("{");
                writer.Indent();
                writer.Line($"var __peftList{level} = {adapter.Loops[i]};");
                writer.Line($"for (var __peftIndex{level} = 0; __peftIndex{level} < __peftList{level}.Count; __peftIndex{level}++)");
                writer.Open();
                writer.Line($"var __peftItem{level} = __peftList{level}[__peftIndex{level}];");
                path.Append(Literals.String(adapter.Loops[i + 1])).Append($" + __peftIndex{level}.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + ");
            }

            path.Append(Literals.String("." + adapter.Path));
            EmitWrap(writer, adapter, NewTarget(adapter, path.ToString()));
            for (var i = 0; i < adapter.Loops.Count; i += 2)
            {
                writer.Close();
                writer.Outdent();
                writer.Line("}");
            }
        }

        writer.Line("return applied;");
        writer.Close();
    }

    private static void EmitWrap(IndentedWriter writer, AdapterFieldModel adapter, string planEntry)
    {
        writer.Line("{");
        writer.Indent();
        writer.Line($"var target = {planEntry};");
        writer.Line("if (!wrap)");
        writer.Open();
        writer.Line("applied.Add(target);");
        writer.Close();
        writer.Line("else");
        writer.Open();
        writer.Line("target = target.With(adapterOverrides).Validate();");
        writer.Line("applied.Add(target);");
        var owner = adapter.OwnerExpression ?? "this";
        var member = adapter.Accessor ?? adapter.FieldName;
        if (adapter.OwnerExpression is not null)
        {
            writer.Line($"var owner = {owner};");
            owner = "owner";
        }

        var read = adapter.IsNullable || adapter.OwnerExpression is not null ? $"{owner}.{member}!" : $"{owner}.{member}";
        writer.Line($"{owner}.{member} = global::PeftSharp.AdapterWiring.Wrap({owner}, {Literals.String(adapter.ComponentName)}, {read}, target);");
        writer.Close();
        writer.Outdent();
        writer.Line("}");
    }

    private static string NewTarget(AdapterFieldModel adapter, string pathExpression)
    {
        var text = new StringBuilder(
            $"new {AdapterTarget}({pathExpression}, global::PeftSharp.AdapterMethod.{adapter.Method}, " +
            $"{Literals.Int(adapter.Rank)}, {Literals.Double(adapter.Alpha)}, {Literals.Double(adapter.Dropout)})");
        var init = new List<string>();
        if (adapter.UseRsLora)
        {
            init.Add("UseRsLora = true");
        }

        if (adapter.UseDora)
        {
            init.Add("UseDora = true");
        }

        if (adapter.Init != "Default")
        {
            init.Add($"Init = global::PeftSharp.LoraInit.{adapter.Init}");
        }

        if (adapter.FeedForward)
        {
            init.Add("FeedForward = true");
        }

        if (init.Count > 0)
        {
            text.Append(" { ").Append(string.Join(", ", init)).Append(" }");
        }

        return text.ToString();
    }
}
