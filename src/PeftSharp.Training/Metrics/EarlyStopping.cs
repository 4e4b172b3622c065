namespace PeftSharp.Training.Metrics;

using System;

/// <summary>
/// Tracks the best value of a monitored metric and says when it has not improved for <see cref="Patience"/>
/// evaluations in a row; the best step is the checkpoint a run keeps.
/// </summary>
public sealed class EarlyStopping
{
    /// <summary>Creates the tracker.</summary>
    /// <param name="patience">Evaluations without improvement before stopping; 0 never stops.</param>
    /// <param name="higherIsBetter">True for accuracy or F1, false for a loss.</param>
    /// <param name="minDelta">The least change that counts as an improvement.</param>
    public EarlyStopping(int patience, bool higherIsBetter, double minDelta = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(minDelta);
        Patience = patience;
        HigherIsBetter = higherIsBetter;
        MinDelta = minDelta;
    }

    /// <summary>Evaluations without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Direction of improvement.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Smallest improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The best value so far, or NaN before the first evaluation.</summary>
    public double BestValue { get; private set; } = double.NaN;

    /// <summary>The step of the best value, or -1.</summary>
    public long BestStep { get; private set; } = -1;

    /// <summary>Evaluations since the last improvement.</summary>
    public int EvaluationsWithoutImprovement { get; private set; }

    /// <summary>True once patience has run out.</summary>
    public bool ShouldStop => Patience > 0 && EvaluationsWithoutImprovement >= Patience;

    /// <summary>Records an evaluation; returns true when it is a new best (the caller then keeps a checkpoint).</summary>
    /// <exception cref="ArgumentException">The value is NaN.</exception>
    public bool Update(double value, long step)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException($"The monitored metric is NaN at step {step}.", nameof(value));
        }

        var improved = double.IsNaN(BestValue)
            || (HigherIsBetter ? value > BestValue + MinDelta : value < BestValue - MinDelta);
        if (improved)
        {
            BestValue = value;
            BestStep = step;
            EvaluationsWithoutImprovement = 0;
        }
        else
        {
            EvaluationsWithoutImprovement++;
        }

        return improved;
    }

    /// <summary>Restores the tracker from a checkpoint.</summary>
    public void Restore(double bestValue, long bestStep, int evaluationsWithoutImprovement)
    {
        BestValue = bestValue;
        BestStep = bestStep;
        EvaluationsWithoutImprovement = evaluationsWithoutImprovement;
    }
}
