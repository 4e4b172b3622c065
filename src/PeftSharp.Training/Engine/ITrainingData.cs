namespace PeftSharp.Training.Engine;

using System;
using System.Collections.Generic;

/// <summary>
/// The batches of each training epoch. The order of an epoch must depend only on the epoch number (and the data's
/// own seed), so a resumed run sees exactly the batches an uninterrupted run would.
/// </summary>
/// <typeparam name="TBatch">A batch; the trainer disposes each one after its step.</typeparam>
public interface ITrainingData<out TBatch>
    where TBatch : IDisposable
{
    /// <summary>Batches in one epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based), in order.</summary>
    IEnumerable<TBatch> Epoch(int epoch);
}
