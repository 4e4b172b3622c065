namespace PeftSharp.Data;

using System;
using static TorchSharp.torch;

/// <summary>How a <see cref="BatchLoader"/> reads a dataset: which rows, in which order, in which batches.</summary>
/// <param name="BatchSize">Rows per batch.</param>
public sealed record BatchOptions(int BatchSize)
{
    /// <summary>The split to read (needs <see cref="Splits"/> unless <see cref="DataSplit.All"/>).</summary>
    public DataSplit Split { get; init; } = DataSplit.All;

    /// <summary>How rows are assigned to splits.</summary>
    public SplitSpec? Splits { get; init; }

    /// <summary>
    /// Shuffle: the row-group order is permuted, then rows pass through a shuffle buffer of
    /// <see cref="ShuffleBufferRows"/>; all draws come from <see cref="Seed"/> and <see cref="Epoch"/>.
    /// </summary>
    public bool Shuffle { get; init; }

    /// <summary>The seed of shuffling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>The epoch: each epoch gets another order from the same seed.</summary>
    public int Epoch { get; init; }

    /// <summary>Rows held for shuffling (the memory bound of a shuffled stream, besides one row group).</summary>
    public int ShuffleBufferRows { get; init; } = 8192;

    /// <summary>Drop the last batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Batches prepared ahead on a background task (the bounded prefetch queue).</summary>
    public int PrefetchBatches { get; init; } = 4;

    /// <summary>Apply the image inputs' training augmentations.</summary>
    public bool Augment { get; init; }

    /// <summary>The device batches are moved to (null: CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for impossible options.</summary>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentException($"The batch size must be at least 1 (got {BatchSize}).");
        }

        if (ShuffleBufferRows < 1 || PrefetchBatches < 1)
        {
            throw new ArgumentException("The shuffle buffer and the prefetch queue need room for at least one item.");
        }

        if (Split != DataSplit.All && Splits is null)
        {
            throw new ArgumentException($"Reading the {Split} split needs Splits (a SplitSpec) to say how rows are assigned.");
        }

        Splits?.Validate();
    }
}
