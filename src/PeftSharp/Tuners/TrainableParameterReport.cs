namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

/// <summary>How many parameters a model trains, out of how many, in total and per module.</summary>
/// <param name="Trainable">Elements of parameters with <c>requires_grad</c>.</param>
/// <param name="Total">Elements of all parameters.</param>
/// <param name="Modules">Per module that holds parameters directly, in state-dict order.</param>
public sealed record TrainableParameterReport(long Trainable, long Total, IReadOnlyList<ParameterCount> Modules)
{
    /// <summary>Trainable share in percent.</summary>
    public double TrainablePercent => Total == 0 ? 0 : 100.0 * Trainable / Total;

    /// <summary>Counts the parameters of <paramref name="model"/>.</summary>
    public static TrainableParameterReport Of(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modules = new List<ParameterCount>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.named_parameters())
        {
            var split = name.LastIndexOf('.');
            var module = split < 0 ? string.Empty : name[..split];
            var count = parameter.numel();
            var trainable = parameter.requires_grad ? count : 0;
            if (index.TryGetValue(module, out var i))
            {
                var old = modules[i];
                modules[i] = old with { Trainable = old.Trainable + trainable, Total = old.Total + count };
            }
            else
            {
                index[module] = modules.Count;
                modules.Add(new ParameterCount(module, trainable, count));
            }
        }

        return new TrainableParameterReport(modules.Sum(m => m.Trainable), modules.Sum(m => m.Total), modules);
    }

    /// <summary>The reference's one-line summary: <c>trainable params: 52,162 || all params: ... || trainable%: ...</c>.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"trainable params: {Trainable:N0} || all params: {Total:N0} || trainable%: {TrainablePercent:F4}");
}
