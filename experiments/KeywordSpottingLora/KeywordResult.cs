namespace KeywordSpottingLora;

/// <summary>What one run measured on the target accent's test voices.</summary>
/// <param name="Method">The adaptation method.</param>
/// <param name="SourceValidationAccuracy">The base model's accuracy on held-out clips of the source accents.</param>
/// <param name="AccuracyBefore">The base model's accuracy on the target test voices, before adaptation.</param>
/// <param name="AccuracyAfter">Accuracy on the target test voices after adaptation.</param>
/// <param name="TrainableParameters">Parameters the adaptation trained.</param>
/// <param name="TotalParameters">All parameters of the adapted model.</param>
public sealed record KeywordResult(
    AdaptationMethod Method, double SourceValidationAccuracy, double AccuracyBefore, double AccuracyAfter, long TrainableParameters, long TotalParameters);
