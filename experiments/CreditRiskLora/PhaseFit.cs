namespace CreditRiskLora;

using System;
using System.Collections.Generic;
using PeftSharp.Training.Engine;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Runs one training phase: the runner's <c>RunContext.Fit</c> (main phase: checkpoints, resume, Ctrl-C, time and
/// memory) or <c>FitPhase</c> (pretraining), or a plain <see cref="Trainer"/> in tests.
/// </summary>
public delegate TrainingOutcome PhaseFit(
    TrainerOptions options, nn.Module model, TabularBatches data, Func<TabularBatch, Tensor> computeLoss, Func<IReadOnlyDictionary<string, double>> evaluate);
