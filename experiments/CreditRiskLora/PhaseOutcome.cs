namespace CreditRiskLora;

/// <summary>What one training phase (pretraining or adaptation) did.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="BestStep">The step whose weights were kept (best validation ROC AUC).</param>
/// <param name="BestValidationAuc">That validation ROC AUC.</param>
/// <param name="Seconds">Wall time of the phase, evaluations included.</param>
/// <param name="StepMilliseconds">Mean wall time of one optimizer step (forward, backward, update), evaluations excluded.</param>
public sealed record PhaseOutcome(long Steps, long BestStep, double BestValidationAuc, double Seconds, double StepMilliseconds);
