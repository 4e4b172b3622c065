namespace FashionResNetLora;

using PeftSharp.Training;
using PeftSharp.Training.Engine;

/// <summary>What one run gives back to tests: the method, the test metrics, the parameter counts and the training outcome.</summary>
/// <param name="Method">The method trained.</param>
/// <param name="Test">Accuracy and loss on the test images.</param>
/// <param name="Parameters">Trainable and total parameters.</param>
/// <param name="Outcome">Steps, best validation step and value.</param>
public sealed record FashionResult(FineTuningMethod Method, ClassifierMetrics Test, ParameterReport Parameters, TrainingOutcome Outcome);
