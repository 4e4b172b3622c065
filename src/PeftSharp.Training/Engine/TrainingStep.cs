namespace PeftSharp.Training.Engine;

using System;

/// <summary>One optimizer step, as the trainer reports it to an <see cref="ITrainingObserver"/>.</summary>
/// <param name="Step">The step just taken (1-based, counting steps before a resume).</param>
/// <param name="TotalSteps">Steps the run takes when no early stop or interruption ends it.</param>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="Loss">Mean training loss of the step's micro-batches.</param>
/// <param name="LearningRate">The learning rate the step used.</param>
/// <param name="Duration">Wall time of the step: data, forward, backward, clipping and update (no evaluation or checkpoint).</param>
/// <param name="Samples">Examples in the step (0 when the batches do not implement <see cref="IBatchSize"/>).</param>
/// <param name="Tokens">Tokens in the step (0 without tokens).</param>
public readonly record struct TrainingStep(
    long Step, long TotalSteps, int Epoch, double Loss, double LearningRate, TimeSpan Duration, long Samples, long Tokens);
