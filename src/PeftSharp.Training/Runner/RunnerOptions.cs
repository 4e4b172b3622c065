namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PeftSharp.Training.Experiments;

/// <summary>
/// The options every experiment has because the runner handles them (<see cref="RunSettings"/>): they are taken out
/// of the arguments before the generated hyperparameter binding sees the rest, unless the experiment declares a
/// hyperparameter of the same name.
/// </summary>
public static class RunnerOptions
{
    /// <summary>Every runner option, in <c>--help</c> order.</summary>
    public static IReadOnlyList<RunnerOption> All { get; } =
    [
        new("seed", "int", "seed of init, dropout and data order (default: 42)", false, (s, v) => s with { Seed = ParseInt(v, "seed", int.MinValue) }),
        new("device", "string", "auto (CUDA when available), cpu, cuda or cuda:N (default: auto)", false, (s, v) => s with { Device = CheckDevice(v) }),
        new("base-dtype", "string", "dtype of the frozen parameters: float32 or bfloat16 (half their memory; trainable ones stay float32) (default: float32)", false, (s, v) => s with { BaseDtype = CheckBaseDtype(v) }),
        new("threads", "int", "LibTorch CPU threads (default: LibTorch's choice, one per core)", false, (s, v) => s with { Threads = ParseInt(v, "threads", 1) }),
        new("resume", "path", "continue training from a checkpoint folder (Ctrl-C prints it)", false, (s, v) => s with { Resume = v }),
        new("checkpoint-dir", "path", "checkpoints and the final adapter (default: checkpoints/<run id>)", false, (s, v) => s with { CheckpointDirectory = v }),
        new("checkpoint-every", "int", "also checkpoint every N steps (default: only at the end and on Ctrl-C)", false, (s, v) => s with { CheckpointEverySteps = ParseInt(v, "checkpoint-every", 1) }),
        new("experiment-name", "string", "MLflow experiment (default: MLFLOW_EXPERIMENT_NAME, else the experiment's name)", false, (s, v) => s with { ExperimentName = v }),
        new("workers", "int", "run sweep trials in N child processes at once (default: 1, one after another in this process)", false, (s, v) => s with { Workers = ParseInt(v, "workers", 1) }),
        new("run-name", "string", "MLflow run name (default: from the method and seed)", false, (s, v) => s with { RunName = v }),
    ];

    /// <summary>
    /// Takes the runner options that <paramref name="info"/> does not declare out of <paramref name="args"/>.
    /// </summary>
    /// <returns>The settings and the arguments left for the hyperparameter binding.</returns>
    /// <exception cref="ExperimentBindingException">A runner option lacks its value, is repeated or has an invalid one; the message names it.</exception>
    public static (RunSettings Settings, IReadOnlyList<string> Remaining) Extract(IReadOnlyList<string> args, ExperimentInfo info)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(info);
        var settings = new RunSettings();
        var rest = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : null;
            string? value = null;
            if (name?.IndexOf('=', StringComparison.Ordinal) is >= 0 and var equals)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            var option = name is null || info.Parameters.Any(p => p.Name == name) ? null : All.FirstOrDefault(o => o.Name == name);
            if (option is null)
            {
                rest.Add(arg);
                continue;
            }

            if (!seen.Add(option.Name))
            {
                throw new ExperimentBindingException($"--{option.Name} is given twice.");
            }

            if (value is null && i + 1 < args.Count
                && (option.IsFlag ? args[i + 1].ToUpperInvariant() is "TRUE" or "FALSE" or "1" or "0" or "YES" or "NO" : !args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                value = args[++i];
            }

            value ??= option.IsFlag ? "true" : throw new ExperimentBindingException($"--{option.Name} needs a value ({option.TypeName}): {option.Description}.");
            settings = option.Apply(settings, value);
        }

        return (settings, rest);
    }

    /// <summary>
    /// Applies the runner options that the experiment declares as hyperparameters, from their bound values
    /// (<see cref="IExperiment{TSelf}.ParameterValues"/>): <c>--seed</c> declared to be swept, for example.
    /// </summary>
    public static RunSettings ApplyDeclared(RunSettings settings, IReadOnlyDictionary<string, string?> parameterValues)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(parameterValues);
        foreach (var option in All)
        {
            if (parameterValues.TryGetValue(option.Name, out var value) && value is not null)
            {
                settings = option.Apply(settings, value);
            }
        }

        return settings;
    }

    /// <summary>The <c>--help</c> rows of the runner options <paramref name="info"/> does not declare itself.</summary>
    public static IEnumerable<(string Option, string Description)> HelpRows(ExperimentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return All.Where(o => info.Parameters.All(p => p.Name != o.Name))
            .Select(o => (o.IsFlag ? $"--{o.Name}" : $"--{o.Name} <{o.TypeName}>", o.Description));
    }

    private static int ParseInt(string raw, string name, int min) =>
        int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new ExperimentBindingException(min == int.MinValue
                ? $"--{name} must be an integer, got '{raw}'."
                : string.Create(CultureInfo.InvariantCulture, $"--{name} must be an integer of at least {min}, got '{raw}'."));

    private static string CheckBaseDtype(string raw) => raw.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" => "float32",
        "bfloat16" or "bf16" => "bfloat16",
        _ => throw new ExperimentBindingException($"--base-dtype must be float32 or bfloat16, got '{raw}'."),
    };

    private static string CheckDevice(string raw)
    {
        var name = raw.Trim().ToLowerInvariant();
        return name is "auto" or "cpu" or "cuda" || (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? name
            : throw new ExperimentBindingException($"--device must be auto, cpu, cuda or cuda:N, got '{raw}'.");
    }
}
