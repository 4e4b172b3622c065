namespace PeftSharp.Training.Engine;

/// <summary>Watches training as it happens: progress display, step timing. Called on the training thread; keep it cheap.</summary>
public interface ITrainingObserver
{
    /// <summary>Training starts (or resumes) at <paramref name="firstStep"/> of <paramref name="totalSteps"/>.</summary>
    void OnStart(long firstStep, long totalSteps);

    /// <summary>An optimizer step finished.</summary>
    void OnStep(in TrainingStep step);

    /// <summary>An evaluation finished with these metrics.</summary>
    void OnEvaluation(long step, System.Collections.Generic.IReadOnlyDictionary<string, double> metrics);

    /// <summary>Training ended (completed, stopped early, interrupted or failed).</summary>
    void OnEnd();
}
