namespace PeftSharp.Lora;

using System;
using System.Globalization;

/// <summary>The hyperparameters of one LoRA adapter on one layer.</summary>
/// <param name="Rank">Rank <c>r</c> of the update, positive.</param>
/// <param name="Alpha">The reference's <c>lora_alpha</c>, positive.</param>
/// <param name="Dropout">Dropout on the adapter branch input, in [0, 1).</param>
public sealed record LoraSettings(int Rank = LoraDefaults.Rank, double Alpha = LoraDefaults.Alpha, double Dropout = LoraDefaults.Dropout)
{
    /// <summary>Scale by <c>alpha / sqrt(r)</c> instead of <c>alpha / r</c> (rsLoRA).</summary>
    public bool UseRsLora { get; init; }

    /// <summary>Weight-decomposed LoRA (DoRA): a trainable magnitude per output row.</summary>
    public bool UseDora { get; init; }

    /// <summary>How A and B start.</summary>
    public LoraInit Init { get; init; } = LoraInit.Default;

    /// <summary>The factor on the low-rank update: <c>alpha / r</c>, or <c>alpha / sqrt(r)</c> with rsLoRA.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>The settings an adapter plan entry describes.</summary>
    public static LoraSettings From(AdapterTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new LoraSettings(target.Rank, target.Alpha, target.Dropout)
        {
            UseRsLora = target.UseRsLora,
            UseDora = target.UseDora,
            Init = target.Init,
        };
    }

    /// <summary>Checks the ranges, naming the value and the valid range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public LoraSettings Validate()
    {
        if (Rank <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rank), Rank, "LoRA rank must be a positive integer.");
        }

        if (!(Alpha > 0) || double.IsInfinity(Alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "LoRA alpha must be a positive finite number.");
        }

        if (!(Dropout >= 0 && Dropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "LoRA dropout must be in [0, 1).");
        }

        if (!Enum.IsDefined(Init))
        {
            throw new ArgumentOutOfRangeException(nameof(Init), Init, string.Create(CultureInfo.InvariantCulture, $"Unknown LoRA init {(int)Init}."));
        }

        return this;
    }
}
