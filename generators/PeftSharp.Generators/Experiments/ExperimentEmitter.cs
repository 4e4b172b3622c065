namespace PeftSharp.Generators.Experiments;

using System.Linq;
using PeftSharp.Generators.Common;
using PeftSharp.Generators.Emit;

/// <summary>Writes the <c>IExperiment&lt;T&gt;</c> implementation of one experiment class; all runtime work is in PeftSharp.Training.Experiments.</summary>
internal static class ExperimentEmitter
{
    private const string Ns = "global::PeftSharp.Training.Experiments";
    private const string Strings = "global::System.Collections.Generic.IReadOnlyList<string>";
    private const string Environment = "global::System.Func<string, string?>?";

    public static string Emit(ExperimentModel model)
    {
        var declaration = model.Class.Declarations[model.Class.Declarations.Count - 1];
        var self = declaration.Name + declaration.TypeParameters;
        return PartialTypeFile.Write(model.Class, "#nullable enable", $"{Ns}.IExperiment<{self}>", writer => EmitMembers(writer, model, self));
    }

    private static void EmitMembers(IndentedWriter writer, ExperimentModel model, string self)
    {
        writer.Line($"private static readonly {Ns}.ExperimentInfo __peftInfo = new {Ns}.ExperimentInfo(");
        writer.Indent();
        writer.Line($"{Literals.String(model.Name)},");
        writer.Line($"{Literals.String(model.Description)},");
        writer.Line($"new {Ns}.ExperimentParameter[]");
        writer.Open();
        foreach (var p in model.Parameters)
        {
            writer.Line(
                $"new {Ns}.ExperimentParameter({Literals.String(p.PropertyName.TrimStart('@'))}, {Literals.String(p.Name)}, {Literals.String(p.LogName)}, " +
                $"{Literals.String(p.EnvironmentVariable)}, {Ns}.ParameterKind.{p.Kind}, {Literals.String(p.TypeName)}, {Literals.Bool(p.IsNullable)}, " +
                $"{Literals.String(p.Description)}, {Optional(p.Min)}, {Optional(p.Max)}, {Array(p.Allowed)}, {Array(p.Sweep)}),");
        }

        writer.Close("},");
        writer.Line($"{Literals.String(model.ModelMember)},");
        writer.Line($"{Literals.String(model.DatasetMember)});");
        writer.Outdent();
        writer.Line();
        writer.Line("/// <summary>The experiment's name and hyperparameter metadata.</summary>");
        writer.Line($"public static {Ns}.ExperimentInfo Info => __peftInfo;");
        writer.Line();
        writer.Line("/// <summary>The <c>--help</c> text: every parameter with its type, default and description.</summary>");
        writer.Line($"public static string HelpText => {Ns}.ExperimentHelp.Format(__peftInfo, new {self}().ParameterValues());");
        writer.Line();
        writer.Line("/// <summary>Creates an instance with the defaults replaced by <paramref name=\"values\"/>, each parsed and validated.</summary>");
        writer.Line($"public static {self} Bind({Ns}.ExperimentValues values)");
        writer.Open();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(values);");
        writer.Line($"var defaults = new {self}();");
        writer.Line($"return new {self}");
        writer.Open();
        for (var i = 0; i < model.Parameters.Count; i++)
        {
            var p = model.Parameters[i];
            writer.Line($"{p.PropertyName} = values.{p.ReadMethod}(__peftInfo.Parameters[{Literals.Int(i)}], defaults.{p.PropertyName}),");
        }

        writer.Close("};");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Binds from command-line arguments, then environment variables, then the <c>--config</c> JSON file, then the defaults.</summary>");
        writer.Line($"public static {self} Bind({Strings} args, {Environment} environment = null) =>");
        writer.Line($"    Bind({Ns}.ExperimentValues.Resolve(__peftInfo, args, environment));");
        writer.Line();
        writer.Line("/// <summary>One bound instance per combination of the declared sweep values (parameters set in <paramref name=\"args\"/> stay fixed).</summary>");
        writer.Line($"public static global::System.Collections.Generic.IReadOnlyList<{self}> Grid({Strings} args, {Environment} environment = null) =>");
        writer.Line($"    {Ns}.ExperimentSweep.Grid<{self}>(args, environment);");
        writer.Line();
        writer.Line("/// <summary><paramref name=\"count\"/> bound instances with sweep values picked at random from <paramref name=\"seed\"/>.</summary>");
        writer.Line($"public static global::System.Collections.Generic.IReadOnlyList<{self}> RandomSweep({Strings} args, int count, int seed, {Environment} environment = null) =>");
        writer.Line($"    {Ns}.ExperimentSweep.Random<{self}>(args, count, seed, environment);");
        writer.Line();
        writer.Line("/// <inheritdoc />");
        writer.Line("public global::System.Collections.Generic.IReadOnlyDictionary<string, string?> ParameterValues() =>");
        writer.Line("    new global::System.Collections.Generic.Dictionary<string, string?>(global::System.StringComparer.Ordinal)");
        writer.Line("    {");
        foreach (var p in model.Parameters)
        {
            writer.Line($"        [{Literals.String(p.Name)}] = {Ns}.ExperimentValues.Format(this.{p.PropertyName}),");
        }

        writer.Line("    };");
        writer.Line();
        writer.Line("/// <summary>The hyperparameters as MLflow params (snake-case keys, invariant values, unset ones left out).</summary>");
        writer.Line("public global::System.Collections.Generic.IReadOnlyDictionary<string, string> ToParameters() =>");
        writer.Line($"    {Ns}.ExperimentParameters.ToLog(__peftInfo, ParameterValues());");
    }

    private static string Optional(double value) => double.IsNaN(value) ? "null" : Literals.Double(value);

    private static string Array(EquatableArray<string> values) =>
        values.Count == 0 ? "global::System.Array.Empty<string>()" : $"new string[] {{ {string.Join(", ", values.Select(Literals.String))} }}";
}
