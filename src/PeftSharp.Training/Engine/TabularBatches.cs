namespace PeftSharp.Training.Engine;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Data;
using static TorchSharp.torch;

/// <summary>
/// Mini-batches of an in-memory <see cref="TabularData"/>, reshuffled every epoch from the seed and the epoch number
/// only, so every run and every resume sees the same order.
/// </summary>
public sealed class TabularBatches : ITrainingData<TabularBatch>
{
    private readonly TabularData data;
    private readonly int batchSize;
    private readonly int seed;
    private readonly Device device;

    /// <summary>Creates the batches of <paramref name="data"/> on <paramref name="device"/>.</summary>
    public TabularBatches(TabularData data, int batchSize, int seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.device = device ?? CPU;
    }

    /// <inheritdoc />
    public int BatchesPerEpoch => (data.Count + batchSize - 1) / batchSize;

    /// <inheritdoc />
    public IEnumerable<TabularBatch> Epoch(int epoch)
    {
        var order = DataSplits.Shuffle(data.Count, unchecked((seed * 7919) + epoch));
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var rows = data.Select(order.Skip(start).Take(batchSize).ToArray());
            yield return new TabularBatch(rows.FeaturesTensor(device), rows.LabelsTensor(device));
        }
    }
}
