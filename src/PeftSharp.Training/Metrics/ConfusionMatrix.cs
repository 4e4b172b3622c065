namespace PeftSharp.Training.Metrics;

using System;
using System.Linq;

/// <summary>
/// Counts of (true class, predicted class) pairs, accumulated batch by batch, from which accuracy and F1 follow
/// exactly (no averaging of per-batch scores).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] counts;

    /// <summary>Creates an empty matrix for <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Classes = classes;
        counts = new long[classes, classes];
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of examples counted.</summary>
    public long Total { get; private set; }

    /// <summary>How often class <paramref name="actual"/> was predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[actual, predicted];

    /// <summary>Counts one batch of labels and predictions.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or hold a class out of range.</exception>
    public void Add(ReadOnlySpan<long> actual, ReadOnlySpan<long> predicted)
    {
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"{actual.Length} labels but {predicted.Length} predictions.", nameof(predicted));
        }

        for (var i = 0; i < actual.Length; i++)
        {
            if ((ulong)actual[i] >= (ulong)Classes || (ulong)predicted[i] >= (ulong)Classes)
            {
                throw new ArgumentException($"Class {actual[i]} or {predicted[i]} is outside 0..{Classes - 1}.", nameof(actual));
            }

            counts[actual[i], predicted[i]]++;
        }

        Total += actual.Length;
    }

    /// <summary>Share of examples predicted correctly.</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Enumerable.Range(0, Classes).Sum(c => counts[c, c]) / Total;

    /// <summary>Precision of class <paramref name="c"/>: correct predictions of c over all predictions of c (0 when none).</summary>
    public double Precision(int c)
    {
        long predicted = 0;
        for (var a = 0; a < Classes; a++)
        {
            predicted += counts[a, c];
        }

        return predicted == 0 ? 0 : (double)counts[c, c] / predicted;
    }

    /// <summary>Recall of class <paramref name="c"/>: correct predictions of c over all examples of c (0 when none).</summary>
    public double Recall(int c)
    {
        long actual = 0;
        for (var p = 0; p < Classes; p++)
        {
            actual += counts[c, p];
        }

        return actual == 0 ? 0 : (double)counts[c, c] / actual;
    }

    /// <summary>F1 of class <paramref name="c"/> (0 when precision and recall are both 0, as scikit-learn's zero_division=0).</summary>
    public double F1(int c)
    {
        var precision = Precision(c);
        var recall = Recall(c);
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>Unweighted mean of the per-class F1 scores (scikit-learn's <c>average="macro"</c>).</summary>
    public double MacroF1 => Enumerable.Range(0, Classes).Average(F1);
}
