namespace PeftSharp;

using System;
using System.Globalization;

/// <summary>One entry of a model's adapter plan: which layer gets which adapter with which hyperparameters.</summary>
/// <param name="ModulePath">Dotted path of the layer in the model (its state-dict prefix).</param>
/// <param name="Method">The adapter method.</param>
/// <param name="Rank">The rank <c>r</c>.</param>
/// <param name="Alpha">The reference's <c>lora_alpha</c>.</param>
/// <param name="Dropout">Dropout on the adapter branch input.</param>
public sealed record AdapterTarget(string ModulePath, AdapterMethod Method, int Rank, double Alpha, double Dropout)
{
    /// <summary>LoRA only: scale by <c>alpha / sqrt(r)</c> instead of <c>alpha / r</c> (rsLoRA).</summary>
    public bool UseRsLora { get; init; }

    /// <summary>LoRA only: weight-decomposed LoRA (DoRA), with a trainable magnitude per output row.</summary>
    public bool UseDora { get; init; }

    /// <summary>LoRA only: how A and B start.</summary>
    public LoraInit Init { get; init; } = LoraInit.Default;

    /// <summary>IA3 only: the layer is a feed-forward layer, so IA3 scales its input instead of its output.</summary>
    public bool FeedForward { get; init; }

    /// <summary>Checks the hyperparameters, naming the layer and the valid range in the error.</summary>
    /// <exception cref="ArgumentException">A hyperparameter is out of range.</exception>
    public AdapterTarget Validate()
    {
        if (Method == AdapterMethod.IA3)
        {
            // IA3 has no rank, alpha or dropout: its only parameter is the scaling vector.
            return this;
        }

        if (Rank <= 0)
        {
            throw new ArgumentException($"Adapter on '{ModulePath}': rank must be a positive integer, got {Rank}.");
        }

        if (!(Alpha > 0) || double.IsInfinity(Alpha))
        {
            throw new ArgumentException($"Adapter on '{ModulePath}': alpha must be a positive finite number, got {Alpha.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!(Dropout >= 0 && Dropout < 1))
        {
            throw new ArgumentException($"Adapter on '{ModulePath}': dropout must be in [0, 1), got {Dropout.ToString(CultureInfo.InvariantCulture)}.");
        }

        return this;
    }

    /// <summary>This target with the non-null values of <paramref name="overrides"/> applied.</summary>
    public AdapterTarget With(AdapterOverrides? overrides) =>
        overrides is null
            ? this
            : this with
            {
                Rank = overrides.Rank ?? Rank,
                Alpha = overrides.Alpha ?? Alpha,
                Dropout = overrides.Dropout ?? Dropout,
            };
}
