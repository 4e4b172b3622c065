namespace SentimentLora.Training;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Data;
using PeftSharp.Training.Engine;
using static TorchSharp.torch;

/// <summary>
/// Training batches over tokenized reviews, grouped by length: each epoch shuffles the reviews (seed and epoch fix the
/// order), sorts every window of <see cref="WindowBatches"/> batches by length, cuts it into batches and shuffles the
/// batches. Reviews of similar length share a batch, so dynamic padding adds few pad tokens (Hugging Face's
/// <c>group_by_length</c>); the order still changes every epoch and the batch sequence stays random.
/// </summary>
public sealed class ReviewBatches : ITrainingData<ReviewBatch>
{
    /// <summary>Batches per length-sorted window.</summary>
    public const int WindowBatches = 50;

    private readonly TokenizedReviews reviews;
    private readonly int batchSize;
    private readonly int seed;
    private readonly Device device;

    /// <summary>Batches of <paramref name="batchSize"/> reviews (the last one smaller) on <paramref name="device"/>.</summary>
    public ReviewBatches(TokenizedReviews reviews, int batchSize, int seed, Device device)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (reviews.Count == 0)
        {
            throw new ArgumentException("There are no training reviews.", nameof(reviews));
        }

        this.reviews = reviews;
        this.batchSize = batchSize;
        this.seed = seed;
        this.device = device ?? throw new ArgumentNullException(nameof(device));
    }

    /// <inheritdoc />
    public int BatchesPerEpoch => (reviews.Count + batchSize - 1) / batchSize;

    /// <summary>The row order of each batch of <paramref name="epoch"/> (what <see cref="Epoch"/> collates).</summary>
    public IReadOnlyList<int[]> Plan(int epoch)
    {
        var random = new DeterministicRandom(unchecked(((ulong)(uint)seed << 32) | (uint)epoch));
        var order = Enumerable.Range(0, reviews.Count).ToArray();
        random.Shuffle(order);
        var batches = new List<int[]>(BatchesPerEpoch);
        var window = batchSize * WindowBatches;
        for (var start = 0; start < order.Length; start += window)
        {
            var sorted = order.Skip(start).Take(window).OrderByDescending(reviews.LengthOf).ToArray();
            batches.AddRange(sorted.Chunk(batchSize));
        }

        random.Shuffle(batches);
        return batches;
    }

    /// <inheritdoc />
    public IEnumerable<ReviewBatch> Epoch(int epoch)
    {
        foreach (var rows in Plan(epoch))
        {
            yield return reviews.Collate(rows, device);
        }
    }

    /// <summary>Evaluation batches: every review once, in length order, <paramref name="batchSize"/> at a time.</summary>
    public static IEnumerable<ReviewBatch> InLengthOrder(TokenizedReviews reviews, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        var order = Enumerable.Range(0, reviews.Count).OrderBy(reviews.LengthOf).ToArray();
        foreach (var rows in order.Chunk(batchSize))
        {
            yield return reviews.Collate(rows, device);
        }
    }
}
