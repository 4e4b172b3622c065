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
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> so their global norm is at most <paramref name="maxNorm"/>,
    /// without waiting for the device: the norm and the scaling stay on the gradients' device (as PyTorch's
    /// <c>clip_grad_norm_</c> does), so a GPU keeps working while the host queues the next step. The caller reads the
    /// norm when it needs it, and disposes it.
    /// </summary>
    /// <returns>The global norm before clipping, a float64 scalar on the gradients' device; null without gradients.</returns>
    public static Tensor? ClipByGlobalNormOnDevice(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNorm);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (gradients.Count == 0)
        {
            return null;
        }

        // Summed in a fixed order in float64, one tensor at a time: the same bits on every run.
        var squares = gradients[0].to(ScalarType.Float64).square().sum();
        foreach (var gradient in gradients.Skip(1))
        {
            squares = squares.add(gradient.to(ScalarType.Float64).square().sum());
        }

        var norm = squares.sqrt();
        using var epsilon = 1e-6.ToScalar();
        using var limit = maxNorm.ToScalar();
        using var one = 1.0.ToScalar();
        // coef = min(max_norm / (norm + 1e-6), 1): multiplying by exactly 1 leaves a gradient's bits unchanged.
        var coefficient = full_like(norm, limit).div_(norm.add(epsilon)).clamp_max_(one);
        foreach (var gradient in gradients)
        {
            gradient.mul_(coefficient.to(gradient.dtype));
        }

        return norm.MoveToOuterDisposeScope();
    }
}
