namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using CreditRiskLora.Metrics;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>The base model pretrained on the source: its weights (CPU copies), and how it scores on both portfolios.</summary>
public sealed class PretrainedBase : IDisposable
{
    /// <summary>Takes ownership of <paramref name="weights"/>.</summary>
    public PretrainedBase(Dictionary<string, Tensor> weights, PhaseOutcome outcome, CreditMetrics sourceValidation, CreditMetrics targetTest)
    {
        Weights = weights;
        Outcome = outcome;
        SourceValidation = sourceValidation;
        TargetTest = targetTest;
    }

    /// <summary>The state dict (plain keys: hidden1.weight, ...), detached CPU copies.</summary>
    public IReadOnlyDictionary<string, Tensor> Weights { get; }

    /// <summary>The pretraining phase.</summary>
    public PhaseOutcome Outcome { get; }

    /// <summary>On the source's held-out rows.</summary>
    public CreditMetrics SourceValidation { get; }

    /// <summary>On the target's test rows, before any adaptation: the cost of the drift.</summary>
    public CreditMetrics TargetTest { get; }

    /// <summary>Loads the pretrained weights into <paramref name="model"/> (before adapters are applied).</summary>
    public void LoadInto(CreditRiskClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using (no_grad())
        {
            var (missing, unexpected) = model.load_state_dict(new Dictionary<string, Tensor>(Weights), strict: true);
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                throw new InvalidOperationException($"Pretrained weights do not fit the model: missing {string.Join(", ", missing)}; unexpected {string.Join(", ", unexpected)}.");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var weight in Weights.Values)
        {
            weight.Dispose();
        }
    }
}
