namespace SentimentLora;

using System.Collections.Generic;
using PeftSharp.Training;

/// <summary>What one run of the experiment measured (the runner records the rest: step time, memory, losses).</summary>
/// <param name="Method">How the encoder was adapted.</param>
/// <param name="Test">Test metrics (test/accuracy, test/f1, test/loss).</param>
/// <param name="Parameters">Trainable and total parameters.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="AdapterDirectory">Where the adapter was saved in PEFT's format, or null when the method has none.</param>
public sealed record SentimentResult(
    FineTuningMethod Method,
    IReadOnlyDictionary<string, double> Test,
    ParameterReport Parameters,
    long Steps,
    string? AdapterDirectory);
