namespace PeftSharp.Lora;

using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A frozen <see cref="Linear"/> plus a trainable low-rank update, computing the reference PEFT formula
/// <c>base_layer(x) + lora_B(lora_A(dropout(x))) * scaling</c> with <c>scaling = alpha / r</c>.
/// Children follow the reference key layout: <c>base_layer</c>, <c>lora_A.default</c>, <c>lora_B.default</c>,
/// <c>lora_dropout.default</c>.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>, IAdapterLayer
{
    /// <summary>The reference's name for the first adapter of a model.</summary>
    public const string DefaultAdapterName = "default";

    // Field names are state-dict keys: they must stay exactly the reference's.
#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly Linear base_layer;
    private readonly ModuleDict<nn.Module<Tensor, Tensor>> lora_dropout = new();
    private readonly ModuleDict<Linear> lora_A = new();
    private readonly ModuleDict<Linear> lora_B = new();
#pragma warning restore IDE1006, SA1300

    /// <summary>Wraps <paramref name="baseLayer"/> with the adapter named <see cref="DefaultAdapterName"/>.</summary>
    /// <param name="baseLayer">The layer to adapt; its parameters are frozen.</param>
    /// <param name="rank">Rank <c>r</c> of the update, positive.</param>
    /// <param name="alpha">The reference's <c>lora_alpha</c>, positive.</param>
    /// <param name="dropout">Dropout on the adapter branch input, in [0, 1).</param>
    public LoraLinear(Linear baseLayer, int rank, double alpha, double dropout)
        : base(nameof(LoraLinear))
    {
        ArgumentNullException.ThrowIfNull(baseLayer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "LoRA alpha must be a positive finite number.");
        }

        if (!(dropout >= 0 && dropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "LoRA dropout must be in [0, 1).");
        }

        base_layer = baseLayer;
        Rank = rank;
        Alpha = alpha;
        Scaling = alpha / rank;

        var weight = baseLayer.weight ?? throw new ArgumentException("The base Linear has no weight.", nameof(baseLayer));
        var outFeatures = weight.shape[0];
        var inFeatures = weight.shape[1];

        // A is Kaiming-uniform (a = sqrt(5)), exactly a fresh Linear's init; B is zero, so a fresh adapter changes nothing.
        var loraA = nn.Linear(inFeatures, rank, hasBias: false, device: weight.device, dtype: weight.dtype);
        var loraB = nn.Linear(rank, outFeatures, hasBias: false, device: weight.device, dtype: weight.dtype);
        using (no_grad())
        {
            nn.init.zeros_(loraB.weight!);
        }

        lora_A.Add(DefaultAdapterName, loraA);
        lora_B.Add(DefaultAdapterName, loraB);
        lora_dropout.Add(DefaultAdapterName, dropout > 0 ? nn.Dropout(dropout) : nn.Identity());

        foreach (var parameter in baseLayer.parameters())
        {
            parameter.requires_grad = false;
        }

        RegisterComponents();
    }

    /// <summary>The rank <c>r</c>.</summary>
    public int Rank { get; }

    /// <summary>The reference's <c>lora_alpha</c>.</summary>
    public double Alpha { get; }

    /// <summary>The factor applied to the low-rank update, <c>alpha / r</c>.</summary>
    public double Scaling { get; }

    /// <summary>The wrapped, frozen layer.</summary>
    public Linear BaseLayer => base_layer;

    /// <summary>The adapter's down-projection <c>A</c> (r x in).</summary>
    public Linear LoraA => lora_A[DefaultAdapterName];

    /// <summary>The adapter's up-projection <c>B</c> (out x r).</summary>
    public Linear LoraB => lora_B[DefaultAdapterName];

    /// <inheritdoc />
    public IEnumerable<Parameter> AdapterParameters() => [LoraA.weight!, LoraB.weight!];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var result = base_layer.forward(input);
        var update = LoraB.forward(LoraA.forward(lora_dropout[DefaultAdapterName].forward(input)));
        return result.add_(update.mul_(Scaling)).MoveToOuterDisposeScope();
    }
}
