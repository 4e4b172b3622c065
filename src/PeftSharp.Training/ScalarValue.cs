namespace PeftSharp.Training;

using System;
using static TorchSharp.torch;

/// <summary>Reads a one-element tensor of any floating-point dtype (a bfloat16 loss, say), where <c>item&lt;float&gt;</c> demands float32.</summary>
public static class ScalarValue
{
    /// <summary>The value of the one-element tensor <paramref name="tensor"/> as a double.</summary>
    /// <exception cref="ArgumentException">The tensor does not have exactly one element.</exception>
    public static double Of(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.numel() != 1)
        {
            throw new ArgumentException($"Expected a tensor with one element, got shape [{string.Join(", ", tensor.shape)}].", nameof(tensor));
        }

        switch (tensor.dtype)
        {
            case ScalarType.Float32:
                return tensor.item<float>();
            case ScalarType.Float64:
                return tensor.item<double>();
            default:
                using (var wide = tensor.to(ScalarType.Float64))
                {
                    return wide.item<double>();
                }
        }
    }
}
