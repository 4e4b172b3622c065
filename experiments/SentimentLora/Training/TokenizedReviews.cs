namespace SentimentLora.Training;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Data;
using SentimentLora.Data;
using static TorchSharp.torch;

/// <summary>Reviews tokenized once ([CLS] text [SEP], cut to the encoder's maximum length) with their labels.</summary>
public sealed class TokenizedReviews
{
    private readonly int[][] ids;
    private readonly int[] labels;
    private readonly int paddingId;

    private TokenizedReviews(int[][] ids, int[] labels, int paddingId)
    {
        this.ids = ids;
        this.labels = labels;
        this.paddingId = paddingId;
    }

    /// <summary>Number of reviews.</summary>
    public int Count => ids.Length;

    /// <summary>Token count of each review, special tokens included.</summary>
    public IEnumerable<int> Lengths => ids.Select(i => i.Length);

    /// <summary>Tokenizes <paramref name="reviews"/> with <paramref name="encoder"/> (in parallel; the encoder is thread-safe).</summary>
    public static TokenizedReviews Encode(ReviewSet reviews, TextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentNullException.ThrowIfNull(encoder);
        reviews.Validate();
        var ids = new int[reviews.Count][];
        System.Threading.Tasks.Parallel.For(0, reviews.Count, i => ids[i] = encoder.Encode(reviews.Reviews[i]));
        return new TokenizedReviews(ids, reviews.Labels.ToArray(), encoder.PaddingId);
    }

    /// <summary>The reviews at <paramref name="rows"/>, in that order.</summary>
    public TokenizedReviews Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new TokenizedReviews(rows.Select(r => ids[r]).ToArray(), rows.Select(r => labels[r]).ToArray(), paddingId);
    }

    /// <summary>The label of review <paramref name="row"/>.</summary>
    public int LabelOf(int row) => labels[row];

    /// <summary>The length of review <paramref name="row"/> in tokens.</summary>
    public int LengthOf(int row) => ids[row].Length;

    /// <summary>
    /// Collates <paramref name="rows"/> into one batch on <paramref name="device"/>, padded to the longest of them
    /// (dynamic padding: a batch of short reviews costs only its own length).
    /// </summary>
    public ReviewBatch Collate(IReadOnlyList<int> rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var length = rows.Max(r => ids[r].Length);
        var tokens = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var batchLabels = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = ids[rows[i]];
            var offset = i * length;
            for (var t = 0; t < length; t++)
            {
                tokens[offset + t] = t < row.Length ? row[t] : paddingId;
                mask[offset + t] = t < row.Length ? 1 : 0;
            }

            batchLabels[i] = labels[rows[i]];
        }

        return new ReviewBatch(
            tensor(tokens, [rows.Count, length]).to(device),
            tensor(mask, [rows.Count, length]).to(device),
            tensor(batchLabels).to(device));
    }
}
