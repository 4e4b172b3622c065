namespace SentimentLora;

using System.Collections.Generic;
using PeftSharp.Training;

/// <summary>What one run of the experiment measured.</summary>
/// <param name="RunId">MLflow run id.</param>
/// <param name="Method">How the encoder was adapted.</param>
/// <param name="Test">Test metrics (test/accuracy, test/f1, test/loss).</param>
/// <param name="Parameters">Trainable and total parameters.</param>
/// <param name="MeanStepMilliseconds">Mean wall time of a training step (first step left out).</param>
/// <param name="PeakMemoryMiB">Peak resident memory while training.</param>
/// <param name="Losses">Training loss of every step.</param>
/// <param name="AdapterDirectory">Where the adapter was saved in PEFT's format, or null when the method has none.</param>
public sealed record SentimentResult(
    string RunId,
    FineTuningMethod Method,
    IReadOnlyDictionary<string, double> Test,
    ParameterReport Parameters,
    double MeanStepMilliseconds,
    double PeakMemoryMiB,
    IReadOnlyList<double> Losses,
    string? AdapterDirectory);
