namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Tuners;
using static TorchSharp.torch;

/// <summary>Bridging models adapted by the generated <c>ApplyAdapters()</c> to the run-time API (saving, merging, several adapters).</summary>
public sealed partial class PeftModel
{
    /// <summary>
    /// The run-time view of a model whose generated <c>ApplyAdapters()</c> already wrapped its layers: the configuration
    /// is built from <paramref name="applied"/> (the plan <c>ApplyAdapters()</c> returned; per-layer ranks and alphas go to
    /// the rank and alpha patterns) and <paramref name="trainableModules"/> become <c>modules_to_save</c>. The layers are
    /// kept as they are, under the adapter name <c>default</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The plan is empty, mixes methods, or mixes rsLoRA/DoRA/init or IA3 options that one configuration cannot express.</exception>
    public static PeftModel FromAppliedPlan(nn.Module model, IReadOnlyList<AdapterTarget> applied, IReadOnlyList<string> trainableModules)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(model, ConfigFromPlan(applied, trainableModules));
    }

    /// <summary>The configuration that describes an applied adapter plan (see <see cref="FromAppliedPlan"/>).</summary>
    public static PeftConfig ConfigFromPlan(IReadOnlyList<AdapterTarget> applied, IReadOnlyList<string> trainableModules)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(trainableModules);
        if (applied.Count == 0)
        {
            throw new ArgumentException("The adapter plan is empty: there is nothing to describe.", nameof(applied));
        }

        if (applied.Select(t => t.Method).Distinct().Count() > 1)
        {
            throw new ArgumentException("The plan mixes LoRA and IA3; one adapter configuration holds one method.", nameof(applied));
        }

        var targets = TargetModules.Of([.. applied.Select(t => t.ModulePath)]);
        if (applied[0].Method == AdapterMethod.IA3)
        {
            var feedForward = applied.Where(t => t.FeedForward).Select(t => t.ModulePath).ToArray();
            return new IA3Config
            {
                TargetModules = targets,
                FeedforwardModules = feedForward.Length == 0 ? null : TargetModules.Of(feedForward),
                ModulesToSave = trainableModules,
            };
        }

        var first = applied[0];
        if (applied.Any(t => t.UseRsLora != first.UseRsLora || t.UseDora != first.UseDora || t.Init != first.Init || t.Dropout != first.Dropout))
        {
            throw new ArgumentException(
                "The plan's layers differ in rsLoRA, DoRA, init or dropout, which one LoRA configuration cannot express (only rank and alpha vary per layer).",
                nameof(applied));
        }

        return new LoraConfig
        {
            R = first.Rank,
            LoraAlpha = first.Alpha,
            LoraDropout = first.Dropout,
            UseRsLora = first.UseRsLora,
            UseDora = first.UseDora,
            InitLoraWeights = first.Init,
            TargetModules = targets,
            ModulesToSave = trainableModules,
            RankPattern = applied.Where(t => t.Rank != first.Rank).ToDictionary(t => t.ModulePath, t => t.Rank),
            AlphaPattern = applied.Where(t => t.Alpha != first.Alpha).ToDictionary(t => t.ModulePath, t => t.Alpha),
        };
    }
}
