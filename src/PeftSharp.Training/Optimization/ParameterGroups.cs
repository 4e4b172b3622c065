namespace PeftSharp.Training.Optimization;

using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Builds AdamW the way the best trainers do: only parameters that train, and no weight decay on biases and
/// normalisation weights (decaying a LayerNorm gain towards zero hurts; Hugging Face's Trainer excludes both).
/// </summary>
public static class ParameterGroups
{
    /// <summary>Trainable parameter names of <paramref name="model"/>, split into those that decay and those that do not.</summary>
    public static (IReadOnlyList<(string Name, Parameter Parameter)> Decay, IReadOnlyList<(string Name, Parameter Parameter)> NoDecay) Split(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var normParameters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, module) in model.named_modules())
        {
            if (IsNormalisation(module))
            {
                foreach (var (name, _) in module.named_parameters(recurse: false))
                {
                    normParameters.Add(path.Length == 0 ? name : $"{path}.{name}");
                }
            }
        }

        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad)
            {
                continue;
            }

            var isBias = name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal);
            (isBias || normParameters.Contains(name) ? noDecay : decay).Add((name, parameter));
        }

        return (decay, noDecay);
    }

    /// <summary>AdamW (<see cref="Optimization.AdamW"/>, free of the Scalar finalizer race) over the trainable parameters of <paramref name="model"/> with decay on weights only.</summary>
    /// <exception cref="InvalidOperationException">Nothing in the model trains.</exception>
    public static AdamW AdamW(nn.Module model, double learningRate, double weightDecay)
    {
        var (decay, noDecay) = Split(model);
        if (decay.Count + noDecay.Count == 0)
        {
            throw new InvalidOperationException("The model has no trainable parameters: every parameter is frozen.");
        }

        var groups = new List<TorchSharp.Modules.AdamW.ParamGroup>();
        if (decay.Count > 0)
        {
            groups.Add(new TorchSharp.Modules.AdamW.ParamGroup(decay.Select(p => p.Parameter), new TorchSharp.Modules.AdamW.Options { weight_decay = weightDecay }));
        }

        if (noDecay.Count > 0)
        {
            groups.Add(new TorchSharp.Modules.AdamW.ParamGroup(noDecay.Select(p => p.Parameter), new TorchSharp.Modules.AdamW.Options { weight_decay = 0 }));
        }

        return new AdamW(groups, lr: learningRate, weight_decay: weightDecay);
    }

    private static bool IsNormalisation(nn.Module module) =>
        module is LayerNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d or GroupNorm
        || module.GetType().Name.Contains("Norm", StringComparison.Ordinal);
}
