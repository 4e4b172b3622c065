namespace PeftSharp.Benchmarks.Runner;

using System.Collections.Generic;
using PeftSharp.Training.Engine;
using static TorchSharp.torch;

/// <summary>The same batches as the hand-written loop: consecutive row slices (views) of one feature and one label tensor.</summary>
internal sealed class SliceBatches(Tensor features, Tensor labels, int batchSize) : ITrainingData<TabularBatch>
{
    public int BatchesPerEpoch => (int)(features.shape[0] / batchSize);

    public IEnumerable<TabularBatch> Epoch(int epoch)
    {
        for (var i = 0; i < BatchesPerEpoch; i++)
        {
            yield return new TabularBatch(features.narrow(0, i * batchSize, batchSize), labels.narrow(0, i * batchSize, batchSize));
        }
    }
}
