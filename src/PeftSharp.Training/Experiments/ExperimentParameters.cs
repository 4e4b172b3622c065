namespace PeftSharp.Training.Experiments;

using System;
using System.Collections.Generic;

/// <summary>Turns bound hyperparameters into the dictionary logged as MLflow params.</summary>
public static class ExperimentParameters
{
    /// <summary>
    /// The parameters keyed by their MLflow names (snake case), values formatted invariantly; unset (null) values are
    /// left out, as MLflow has no null param.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToLog(ExperimentInfo info, IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(values);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in info.Parameters)
        {
            if (values.GetValueOrDefault(parameter.Name) is { } value)
            {
                result[parameter.LogName] = value;
            }
        }

        return result;
    }
}
