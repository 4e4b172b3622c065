namespace PeftSharp.Tests.Adapters;

using PeftSharp.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Independent float64 computations of the reference formulas, and the comparison the tests use.</summary>
internal static class Reference
{
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var a = actual.detach().to(float64);
        using var e = expected.detach().to(float64);
        using var diff = (a - e).abs().max();
        using var scale = e.abs().max();
        return diff.item<double>() / scale.item<double>();
    }

    public static Tensor F64(Tensor t) => t.detach().to(float64);

    /// <summary>Gives every LoRA matrix random values, so the branch contributes.</summary>
    public static void Randomize(LoraLayer layer, string adapter = "default")
    {
        using var noGrad = no_grad();
        foreach (var (_, p) in layer.NamedAdapterParameters(adapter))
        {
            if (!p.shape.Equals(null))
            {
                p.normal_(0, 0.3);
            }
        }

        if (layer.Magnitude(adapter) is { } m)
        {
            m.uniform_(0.5, 1.5);
        }
    }

    public static Tensor LinearLora(Tensor x, Linear baseLayer, Tensor a, Tensor b, double scaling)
    {
        var x64 = F64(x);
        var w = F64(baseLayer.weight!);
        var result = x64.matmul(w.t());
        if (baseLayer.bias is { } bias)
        {
            result = result + F64(bias);
        }

        return result + x64.matmul(F64(a).t()).matmul(F64(b).t()) * scaling;
    }

    public static Tensor LinearDora(Tensor x, Linear baseLayer, Tensor a, Tensor b, Tensor magnitude, double scaling)
    {
        var x64 = F64(x);
        var w = F64(baseLayer.weight!);
        var combined = w + F64(b).matmul(F64(a)) * scaling;
        var norm = combined.square().sum(1).sqrt();
        var factor = F64(magnitude) / norm;
        var wx = x64.matmul(w.t());
        var result = wx + (factor - 1) * wx + factor * (x64.matmul(F64(a).t()).matmul(F64(b).t()) * scaling);
        return baseLayer.bias is { } bias ? result + F64(bias) : result;
    }

    public static Tensor Conv(Tensor x, Conv2d conv, Tensor weight, bool withBias) =>
        nn.functional.conv2d(F64(x), weight, withBias && conv.bias is { } b ? F64(b) : null, conv.stride, conv.padding, conv.dilation);

    /// <summary>The conv kernel of B (out x r x 1 x 1) after A (r x in x kh x kw), summed explicitly.</summary>
    public static Tensor ConvDelta(Tensor a, Tensor b) =>
        einsum("or,rijk->oijk", F64(b).flatten(1), F64(a));
}
