namespace PeftSharp.Training.Experiments;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

/// <summary>Formats the <c>--help</c> text of an experiment from its generated metadata.</summary>
public static class ExperimentHelp
{
    /// <summary>
    /// The help text: usage, description, then one line per parameter with its type, default, description, range,
    /// valid values, sweep values and environment variable, then the options every experiment has.
    /// </summary>
    /// <param name="info">The experiment.</param>
    /// <param name="defaults">Each parameter's default, keyed by command-line name (null when unset).</param>
    /// <param name="commands">The commands before the options (name, description), listed after the description; null for none.</param>
    /// <param name="runnerOptions">Options the runner adds (name with value, description), listed after the parameters; null for none.</param>
    public static string Format(
        ExperimentInfo info,
        IReadOnlyDictionary<string, string?> defaults,
        IEnumerable<(string Command, string Description)>? commands = null,
        IEnumerable<(string Option, string Description)>? runnerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(defaults);
        var text = new StringBuilder();
        var commandRows = commands?.ToList() ?? [];
        text.Append("Usage: ").Append(info.Name).AppendLine(commandRows.Count > 0 ? " [command] [options]" : " [options]");
        if (info.Description.Length > 0)
        {
            text.AppendLine().AppendLine(info.Description);
        }

        if (commandRows.Count > 0)
        {
            text.AppendLine().AppendLine("Commands:");
            var commandWidth = commandRows.Max(r => r.Command.Length) + 2;
            foreach (var (command, description) in commandRows)
            {
                text.Append("  ").Append(command.PadRight(commandWidth)).AppendLine(description);
            }
        }

        text.AppendLine().AppendLine("Options (command line > environment variable > --config JSON file > default):");
        var rows = info.Parameters.Select(p => ($"--{p.Name} <{p.TypeName}>", Describe(p, defaults.GetValueOrDefault(p.Name)))).ToList();
        rows.AddRange(runnerOptions ?? []);
        rows.Add(("--config <path>", $"JSON object of parameter values (or ${ExperimentValues.ConfigEnvironmentVariable})"));
        rows.Add(("--sweep grid|random", "run every combination of the declared sweep values, or --trials random picks of them"));
        rows.Add(("--trials <int>", "random sweep size (default: 10)"));
        rows.Add(("--sweep-seed <int>", "random sweep seed (default: 0)"));
        rows.Add(("--help", "show this text"));
        var width = rows.Max(r => r.Item1.Length) + 2;
        foreach (var (left, right) in rows)
        {
            text.Append("  ").Append(left.PadRight(width)).AppendLine(right);
        }

        return text.ToString();
    }

    private static string Describe(ExperimentParameter p, string? defaultValue)
    {
        var parts = new List<string>();
        if (p.Description.Length > 0)
        {
            parts.Add(p.Description);
        }

        parts.Add($"default: {defaultValue ?? "unset"}");
        var range = ExperimentValues.Range(p);
        if (range.Length > 0)
        {
            parts.Add("valid:" + range);
        }

        if (p.Allowed.Count > 0)
        {
            parts.Add($"one of: {string.Join(", ", p.Allowed)}");
        }

        if (p.Sweep.Count > 0)
        {
            parts.Add($"sweep: {string.Join(", ", p.Sweep)}");
        }

        parts.Add($"env: {p.EnvironmentVariable}");
        return string.Join("; ", parts);
    }
}
