namespace PeftSharp.Lora;

using System;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// DoRA's magnitude vector as a module with one parameter <c>weight</c>, so the in-memory key is the reference's
/// <c>lora_magnitude_vector.&lt;adapter&gt;.weight</c> (saved without <c>.weight</c>).
/// </summary>
public sealed class DoraMagnitude : nn.Module
{
#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly Parameter weight;
#pragma warning restore IDE1006, SA1300

    /// <summary>Wraps <paramref name="magnitude"/> (taken over, detached) as the trainable parameter.</summary>
    public DoraMagnitude(Tensor magnitude)
        : base(nameof(DoraMagnitude))
    {
        ArgumentNullException.ThrowIfNull(magnitude);
        weight = new Parameter(magnitude.detach().clone(), requires_grad: true);

        // Owned by the module: a dispose scope around the caller must not free it.
        weight.DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>The magnitude, always read from the registration (valid after <c>.to()</c>).</summary>
    public Parameter Weight => get_parameter("weight")!;
}
