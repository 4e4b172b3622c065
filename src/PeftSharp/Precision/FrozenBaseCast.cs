namespace PeftSharp.Precision;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using PeftSharp.Tuners;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Keeps the frozen part of a model in a smaller floating-point type (bfloat16 on a GPU) while what trains stays in
/// float32: the memory of the frozen weights halves, and their matrix products run at bfloat16 speed, with the
/// optimizer's updates and moments still in float32. This is how Hugging Face PEFT is used with a base model loaded
/// in <c>torch_dtype=torch.bfloat16</c>: its adapter layers cast their input to the adapter weights' dtype and their
/// result back to the base layer's (<see cref="AdapterLayer"/> does the same). TorchSharp has no autocast, so the
/// other layers that hold weights get a forward pre-hook that casts a floating-point input to their weights' dtype
/// (a float32 head after a bfloat16 encoder computes in float32; a bfloat16 layer after it in bfloat16). Hooks run
/// when a model calls its layers with <c>call()</c>, as TorchSharp's own modules do; a layer run with
/// <c>forward()</c> directly must get inputs of its own dtype (analyzer PEFT017 reports such calls).
/// </summary>
public static class FrozenBaseCast
{
    // Modules already hooked, so applying twice adds no second hook.
    private static readonly ConditionalWeakTable<nn.Module, object> Hooked = [];

    /// <summary>
    /// Casts every submodule of <paramref name="model"/> whose parameters are all frozen to <paramref name="dtype"/>
    /// (parameters and floating-point buffers), and hooks the layers that hold weights to cast their inputs. Call it
    /// after the adapters are applied and the rest is frozen, and after moving the model to its device.
    /// </summary>
    /// <param name="model">The model; its trainable parameters keep their dtype.</param>
    /// <param name="dtype">A floating-point type, usually <see cref="ScalarType.BFloat16"/>.</param>
    /// <returns>How many frozen parameters were cast and their size before and after.</returns>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public static FrozenBaseCastReport Apply(nn.Module model, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!is_floating_point(dtype))
        {
            throw new ArgumentException($"The frozen base can only be cast to a floating-point type, got {dtype}.", nameof(dtype));
        }

        var report = new FrozenBaseCastReport(dtype, 0, 0, 0);
        report = CastFrozenSubtrees(model, dtype, report);
        foreach (var module in model.modules().Prepend(model))
        {
            // Layers that hold weights themselves; an adapter layer holds none and makes PEFT's casts inside.
            if (module is nn.Module<Tensor, Tensor> layer
                && OwnFloatingParameter(module) is not null
                && !Hooked.TryGetValue(module, out _))
            {
                layer.register_forward_pre_hook(CastInputToWeights);
                Hooked.Add(module, true);
            }
        }

        return report;
    }

    /// <summary>
    /// <paramref name="input"/> in <paramref name="dtype"/> when both are floating-point and differ, else
    /// <paramref name="input"/> itself (integer token ids, booleans and matching inputs pass through).
    /// </summary>
    public static Tensor CastFloating(Tensor input, ScalarType? dtype)
    {
        ArgumentNullException.ThrowIfNull(input);
        return dtype is { } target && target != input.dtype && is_floating_point(target) && input.is_floating_point() ? input.to(target) : input;
    }

    /// <summary>The dtype of the first floating-point parameter <paramref name="module"/> holds itself, or null.</summary>
    internal static ScalarType? OwnFloatingParameter(nn.Module module) =>
        module.named_parameters(recurse: false).Select(p => p.parameter).FirstOrDefault(p => p.is_floating_point())?.dtype;

    private static Tensor CastInputToWeights(nn.Module<Tensor, Tensor> module, Tensor input) =>
        CastFloating(input, OwnFloatingParameter(module));

    // Casts the largest subtrees whose parameters are all frozen; a module with any trainable descendant keeps its own
    // parameters (a Linear with a trainable bias stays whole) and its frozen children are visited.
    private static FrozenBaseCastReport CastFrozenSubtrees(nn.Module module, ScalarType dtype, FrozenBaseCastReport report)
    {
        var parameters = module.parameters().ToList();
        if (parameters.Count == 0)
        {
            return report;
        }

        if (parameters.All(p => !p.requires_grad))
        {
            var changing = parameters.Where(p => p.is_floating_point() && p.dtype != dtype).ToList();
            if (changing.Count == 0)
            {
                return report;
            }

            var elements = changing.Sum(p => p.numel());
            var before = changing.Sum(p => p.numel() * p.ElementSize);
            module.to(dtype);
            return report with
            {
                Parameters = report.Parameters + elements,
                BytesBefore = report.BytesBefore + before,
                BytesAfter = report.BytesAfter + (elements * ElementSize(dtype)),
            };
        }

        foreach (var (_, child) in module.named_children())
        {
            report = CastFrozenSubtrees(child, dtype, report);
        }

        return report;
    }

    private static long ElementSize(ScalarType dtype)
    {
        using var probe = empty(0, dtype);
        return probe.ElementSize;
    }
}
