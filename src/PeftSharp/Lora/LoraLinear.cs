namespace PeftSharp.Lora;

using System;
using System.Collections.Generic;
using PeftSharp.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A frozen <see cref="Linear"/> plus trainable low-rank updates, computing the reference PEFT formula
/// <c>base_layer(x) + lora_B(lora_A(dropout(x))) * scaling</c> for each active adapter (rsLoRA: <c>scaling = alpha / sqrt(r)</c>;
/// DoRA: magnitude-rescaled, see <see cref="LoraSettings.UseDora"/>).
/// Children follow the reference key layout: <c>base_layer</c>, <c>lora_A.&lt;adapter&gt;</c>, <c>lora_B.&lt;adapter&gt;</c>,
/// <c>lora_dropout.&lt;adapter&gt;</c>, <c>lora_magnitude_vector.&lt;adapter&gt;</c>.
/// </summary>
public sealed class LoraLinear : LoraLayer
{

    /// <summary>Wraps <paramref name="baseLayer"/> with the adapter named <see cref="Tuners.AdapterLayer.DefaultAdapterName"/>.</summary>
    /// <param name="baseLayer">The layer to adapt; its parameters are frozen.</param>
    /// <param name="rank">Rank <c>r</c> of the update, positive.</param>
    /// <param name="alpha">The reference's <c>lora_alpha</c>, positive.</param>
    /// <param name="dropout">Dropout on the adapter branch input, in [0, 1).</param>
    public LoraLinear(Linear baseLayer, int rank, double alpha, double dropout)
        : this(baseLayer, new LoraSettings(rank, alpha, dropout))
    {
    }

    /// <summary>Wraps <paramref name="baseLayer"/> with one adapter named <paramref name="adapterName"/>.</summary>
    public LoraLinear(Linear baseLayer, LoraSettings settings, string adapterName = DefaultAdapterName)
        : base(nameof(LoraLinear), baseLayer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _ = baseLayer.weight ?? throw new ArgumentException("The base Linear has no weight.", nameof(baseLayer));
        AddAdapter(adapterName, settings);
        RegisterComponents();
    }

    /// <summary>The wrapped, frozen layer.</summary>
    public Linear BaseLayer => (Linear)BaseModule;

    /// <summary>The first adapter's down-projection <c>A</c> (r x in).</summary>
    public Linear LoraA => LoraAOf(FirstAdapter);

    /// <summary>The first adapter's up-projection <c>B</c> (out x r).</summary>
    public Linear LoraB => LoraBOf(FirstAdapter);

    /// <summary>Adapter <paramref name="adapterName"/>'s down-projection <c>A</c> (r x in).</summary>
    public Linear LoraAOf(string adapterName) => (Linear)ModuleA(adapterName);

    /// <summary>Adapter <paramref name="adapterName"/>'s up-projection <c>B</c> (out x r).</summary>
    public Linear LoraBOf(string adapterName) => (Linear)ModuleB(adapterName);

    /// <inheritdoc />
    public override Tensor DeltaWeight(string adapterName)
    {
        using var scope = NewDisposeScope();
        using var scaling = Settings(adapterName).Scaling.ToScalar();
        var delta = LoraBOf(adapterName).weight!.matmul(LoraAOf(adapterName).weight!).mul(scaling);
        return delta.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void CreateAdapter(string adapterName, LoraSettings loraSettings)
    {
        var weight = BaseLayer.weight!;
        var outFeatures = weight.shape[0];
        var inFeatures = weight.shape[1];
        var rank = loraSettings.Rank;

        // A is Kaiming-uniform (a = sqrt(5)), exactly a fresh Linear's init; B is zero, so a fresh adapter changes nothing.
        var a = nn.Linear(inFeatures, rank, hasBias: false, device: weight.device, dtype: weight.dtype);
        var b = nn.Linear(rank, outFeatures, hasBias: false, device: weight.device, dtype: weight.dtype);
        using (no_grad())
        {
            nn.init.zeros_(b.weight!);
            switch (loraSettings.Init)
            {
                case LoraInit.Gaussian:
                    // The reference draws A with standard deviation 1 / r.
                    nn.init.normal_(a.weight!, std: 1.0 / rank);
                    break;
                case LoraInit.Pissa:
                    InitPissa(a, b, loraSettings);
                    break;
            }
        }

        AddLowRankModules(adapterName, a, b, loraSettings.Dropout);
        if (loraSettings.UseDora)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var scaling = loraSettings.Scaling.ToScalar();
            var combined = weight.add(b.weight!.matmul(a.weight!).mul(scaling));
            AddMagnitude(adapterName, DoraNorm(combined));
        }
    }

    /// <inheritdoc />
    protected override Tensor ForwardWithAdapters(Tensor input, IReadOnlyList<string> adapterNames)
    {
        var weight = BaseLayer.weight!;
        var bias = BaseLayer.bias;
        var result = BaseForward(input);
        Tensor? baseWithoutBias = null;
        foreach (var name in adapterNames)
        {
            using var scaling = Settings(name).Scaling.ToScalar();
            // PEFT casts the input to the adapter's dtype (float32 adapters on a bfloat16 base).
            var dropped = BranchDropout(name).call(FrozenBaseCast.CastFloating(input, LoraAOf(name).weight!.dtype));
            var update = LoraBOf(name).call(LoraAOf(name).call(dropped));
            var magnitude = Magnitude(name);
            if (magnitude is null)
            {
                result = result.add(update.mul(scaling));
                continue;
            }

            // DoRA: the norm of W + scaling * B A is a constant for the gradient (the reference detaches it).
            Tensor norm;
            using (no_grad())
            {
                norm = DoraNorm(weight.add(DeltaWeight(name)));
            }

            var factor = magnitude.div(norm);
            Tensor wx;
            if (DropoutInactive(name))
            {
                baseWithoutBias ??= bias is null ? result.alias() : BaseForward(input).sub(bias);
                wx = baseWithoutBias;
            }
            else
            {
                wx = nn.functional.linear(dropped, FrozenBaseCast.CastFloating(weight, dropped.dtype));
            }

            using var one = 1.ToScalar();
            result = result.add(factor.sub(one).mul(wx)).add(factor.mul(update).mul(scaling));
        }

        return result;
    }

    /// <inheritdoc />
    protected override void MergeAdapter(string adapterName) => MergeIntoWeight(BaseLayer.weight!, adapterName);

    /// <inheritdoc />
    protected override void UnmergeAdapter(string adapterName) => UnmergeFromWeight(BaseLayer.weight!, adapterName);

    /// <inheritdoc />
    protected override Tensor DoraNorm(Tensor weight) => linalg.vector_norm(weight, dims: [1]);

    /// <inheritdoc />
    protected override Tensor DoraWeightFactor(Tensor rowFactor) => rowFactor.unsqueeze(1);

    private void InitPissa(Linear a, Linear b, LoraSettings settings)
    {
        using var scope = NewDisposeScope();
        var weight = BaseLayer.weight!;
        var rank = settings.Rank;
        if (rank > Math.Min(weight.shape[0], weight.shape[1]))
        {
            throw new ArgumentException($"PiSSA needs rank <= min(out, in) = {Math.Min(weight.shape[0], weight.shape[1])}, got {rank}.");
        }

        // As the reference: W = U S Vh; A = sqrt(S_r / scaling) Vh_r, B = U_r sqrt(S_r / scaling); W -= scaling B A.
        var (u, s, vh) = linalg.svd(weight.to(float32), fullMatrices: false);
        using var scaling = settings.Scaling.ToScalar();
        var sr = s.slice(0, 0, rank, 1).div(scaling).sqrt();
        var loraA = sr.unsqueeze(1).mul(vh.slice(0, 0, rank, 1));
        var loraB = u.slice(1, 0, rank, 1).mul(sr.unsqueeze(0));
        a.weight!.copy_(loraA);
        b.weight!.copy_(loraB);
        weight.sub_(loraB.matmul(loraA).mul(scaling).to(weight.dtype));
    }
}
