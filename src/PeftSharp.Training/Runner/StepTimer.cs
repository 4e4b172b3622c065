namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using PeftSharp.Training.Engine;

/// <summary>Adds up the optimizer steps' wall time, for the mean step time of a run.</summary>
internal sealed class StepTimer : ITrainingObserver
{
    public long Steps { get; private set; }

    public TimeSpan Total { get; private set; }

    public double MeanMilliseconds => Steps == 0 ? double.NaN : Total.TotalMilliseconds / Steps;

    public void OnStart(long firstStep, long totalSteps)
    {
    }

    public void OnStep(in TrainingStep step)
    {
        Steps++;
        Total += step.Duration;
    }

    public void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics)
    {
    }

    public void OnEnd()
    {
    }
}
