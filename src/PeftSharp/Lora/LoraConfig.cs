namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PeftSharp.Lora;

/// <summary>A LoRA adapter's configuration, with the reference's fields and defaults (<c>LoraConfig</c>).</summary>
public sealed record LoraConfig : PeftConfig
{
    /// <inheritdoc />
    public override string PeftType => "LORA";

    /// <summary>The rank <c>r</c> (default 8).</summary>
    public int R { get; init; } = LoraDefaults.Rank;

    /// <summary>The reference's <c>lora_alpha</c> (default 8).</summary>
    public double LoraAlpha { get; init; } = LoraDefaults.Alpha;

    /// <summary>Dropout on the adapter branch input (default 0).</summary>
    public double LoraDropout { get; init; } = LoraDefaults.Dropout;

    /// <summary>Scale by <c>alpha / sqrt(r)</c> (rsLoRA).</summary>
    public bool UseRsLora { get; init; }

    /// <summary>Weight-decomposed LoRA (Linear and Conv2d).</summary>
    public bool UseDora { get; init; }

    /// <summary>How A and B start (the reference's <c>init_lora_weights</c>).</summary>
    public LoraInit InitLoraWeights { get; init; } = LoraInit.Default;

    /// <summary>Which biases train and are saved.</summary>
    public BiasMode Bias { get; init; } = BiasMode.None;

    /// <summary>Per-layer ranks: a key (regex) matching the end of a module's dotted path after a dot overrides <see cref="R"/>.</summary>
    public IReadOnlyDictionary<string, int> RankPattern { get; init; } = new Dictionary<string, int>();

    /// <summary>Per-layer alphas, keyed like <see cref="RankPattern"/>.</summary>
    public IReadOnlyDictionary<string, double> AlphaPattern { get; init; } = new Dictionary<string, double>();

    /// <summary>The settings of the layer at <paramref name="path"/>, with rank and alpha patterns applied.</summary>
    public LoraSettings SettingsFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rank = PatternValue(RankPattern, path, R);
        var alpha = PatternValue(AlphaPattern, path, LoraAlpha);
        return new LoraSettings(rank, alpha, LoraDropout) { UseRsLora = UseRsLora, UseDora = UseDora, Init = InitLoraWeights };
    }

    // The reference matches a pattern key against the end of the path, preceded by a dot or the start ("(.*\.)?key$").
    private static T PatternValue<T>(IReadOnlyDictionary<string, T> patterns, string path, T fallback)
    {
        foreach (var (key, value) in patterns)
        {
            var regex = key.StartsWith('^') ? key : $"(^|.*\\.){key}$";
            if (System.Text.RegularExpressions.Regex.IsMatch(path, regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                return value;
            }
        }

        return fallback;
    }
}
