namespace CreditRiskLora;

using CreditRiskLora.Metrics;
using PeftSharp.Training;

/// <summary>One method's target model and what it cost.</summary>
/// <param name="Method">How it was obtained.</param>
/// <param name="Test">On the target's test rows.</param>
/// <param name="Parameters">Trainable and total parameters while training on the target.</param>
/// <param name="Outcome">The training phase on the target.</param>
/// <param name="TrainingStateBytes">Memory that scales with what is trained: gradients plus AdamW's two moments (3 x 4 bytes per trainable parameter).</param>
public sealed record MethodResult(AdaptationMethod Method, CreditMetrics Test, ParameterReport Parameters, PhaseOutcome Outcome, long TrainingStateBytes);
