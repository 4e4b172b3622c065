namespace FashionResNetLora.Data;

using System;
using System.Collections.Generic;
using PeftSharp.Data;
using PeftSharp.Training.Engine;
using static TorchSharp.torch;

/// <summary>
/// The training images as the trainer's epochs: the Parquet file streamed by <see cref="ParquetDataset"/>, shuffled by
/// seed and epoch (so a resumed run sees the batches an uninterrupted one would), moved to the device on the prefetch task.
/// </summary>
public sealed class FashionBatches : ITrainingData<Batch>
{
    private readonly ParquetDataset dataset;
    private readonly int batchSize;
    private readonly int seed;
    private readonly Device device;

    /// <summary>Batches of <paramref name="batchSize"/> images (the last one smaller) of <paramref name="dataset"/>.</summary>
    public FashionBatches(ParquetDataset dataset, int batchSize, int seed, Device device)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.seed = seed;
        this.device = device ?? throw new ArgumentNullException(nameof(device));
    }

    /// <inheritdoc />
    public int BatchesPerEpoch => (int)((dataset.RowCount + batchSize - 1) / batchSize);

    /// <inheritdoc />
    public IEnumerable<Batch> Epoch(int epoch)
    {
        using var loader = dataset.OpenBatches(new BatchOptions(batchSize) { Shuffle = true, Seed = seed, Epoch = epoch, Device = device });
        foreach (var batch in loader)
        {
            yield return batch;
        }
    }
}
