namespace PeftSharp.Training.Engine;

/// <summary>
/// A batch that tells how much data it holds, for throughput (samples/s, tokens/s) in progress reports. Batches
/// without it count nothing.
/// </summary>
public interface IBatchSize
{
    /// <summary>Examples in the batch.</summary>
    int Samples { get; }

    /// <summary>Real (non-padding) tokens in the batch; 0 for data without tokens.</summary>
    long Tokens { get; }
}
