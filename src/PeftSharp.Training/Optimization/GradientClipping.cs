namespace PeftSharp.Training.Optimization;

using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Clips the global L2 norm of gradients, with PyTorch's semantics (<c>coef = max_norm / (norm + 1e-6)</c>, applied
/// only when below 1). Computed tensor by tensor in float64 instead of with LibTorch's <c>clip_grad_norm_</c>, whose
/// multi-threaded reduction differs in the last bit from run to run — enough to break bit-identical reruns and resumes.
/// </summary>
public static class GradientClipping
{
    /// <summary>Scales the gradients of <paramref name="parameters"/> so their global norm is at most <paramref name="maxNorm"/>.</summary>
    /// <returns>The global norm before clipping.</returns>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (gradients.Count == 0)
        {
            return 0;
        }

        double squares = 0;
        foreach (var gradient in gradients)
        {
            squares += gradient.to(ScalarType.Float64).square().sum().item<double>();
        }

        var norm = Math.Sqrt(squares);
        var coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1)
        {
            using var scale = coefficient.ToScalar();
            foreach (var gradient in gradients)
            {
                gradient.mul_(scale);
            }
        }

        return norm;
    }
}
