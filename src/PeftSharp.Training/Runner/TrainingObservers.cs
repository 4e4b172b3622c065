namespace PeftSharp.Training.Runner;

using System.Collections.Generic;
using PeftSharp.Training.Engine;

/// <summary>Passes every event on to several observers, in order.</summary>
internal sealed class TrainingObservers(params ITrainingObserver[] observers) : ITrainingObserver
{
    public void OnStart(long firstStep, long totalSteps)
    {
        foreach (var observer in observers)
        {
            observer.OnStart(firstStep, totalSteps);
        }
    }

    public void OnStep(in TrainingStep step)
    {
        foreach (var observer in observers)
        {
            observer.OnStep(step);
        }
    }

    public void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var observer in observers)
        {
            observer.OnEvaluation(step, metrics);
        }
    }

    public void OnEnd()
    {
        foreach (var observer in observers)
        {
            observer.OnEnd();
        }
    }
}
