namespace SentimentLora.Data;

using System;
using System.Collections.Generic;

/// <summary>Reviews with their product, star category and binary label, in file order.</summary>
/// <param name="Products">Product identifier of each review.</param>
/// <param name="Reviews">Review text after preprocessing (see <see cref="ReviewsData.Preprocess"/>).</param>
/// <param name="Scores">"great" (5 stars) or "other".</param>
/// <param name="Labels">1 for "great", 0 for "other".</param>
public sealed record ReviewSet(IReadOnlyList<string> Products, IReadOnlyList<string> Reviews, IReadOnlyList<string> Scores, IReadOnlyList<int> Labels)
{
    /// <summary>Number of reviews.</summary>
    public int Count => Reviews.Count;

    /// <summary>Number of reviews labelled "great".</summary>
    public int GreatCount
    {
        get
        {
            var n = 0;
            foreach (var label in Labels)
            {
                n += label;
            }

            return n;
        }
    }

    /// <summary>Throws unless every column has <see cref="Count"/> entries.</summary>
    public void Validate()
    {
        if (Products.Count != Count || Scores.Count != Count || Labels.Count != Count)
        {
            throw new InvalidOperationException($"Ragged review set: {Products.Count} products, {Count} reviews, {Scores.Count} scores, {Labels.Count} labels.");
        }
    }
}
