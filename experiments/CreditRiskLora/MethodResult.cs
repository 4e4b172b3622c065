namespace CreditRiskLora;

using CreditRiskLora.Metrics;
using PeftSharp.Training;

/// <summary>One method's target model and what it cost.</summary>
/// <param name="Method">How it was obtained.</param>
/// <param name="Seed">The run's seed (splits, init, data order).</param>
/// <param name="Test">On the target's test rows.</param>
/// <param name="Before">The pretrained model on the same test rows before adaptation (null for scratch, which has none).</param>
/// <param name="Parameters">Trainable and total parameters while training on the target.</param>
/// <param name="Outcome">The training phase on the target.</param>
/// <param name="PeakRssMegabytes">Peak resident memory of the process during that phase (null where it cannot be measured).</param>
public sealed record MethodResult(
    AdaptationMethod Method, int Seed, CreditMetrics Test, CreditMetrics? Before, ParameterReport Parameters, PhaseOutcome Outcome, double? PeakRssMegabytes);
