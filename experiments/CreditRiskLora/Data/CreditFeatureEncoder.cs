namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.Linq;
using PeftSharp.Data;

/// <summary>
/// Turns a <see cref="CreditTable"/> into model inputs: for every concept a standardised value and a missing
/// indicator. Fitted per dataset on that dataset's training rows only: the mean and standard deviation of the
/// observed values; a missing value becomes the mean (input 0) with its indicator 1, so the model sees "unknown"
/// explicitly. A concept the dataset never observes is 0 with indicator 1 on every row.
/// </summary>
public sealed class CreditFeatureEncoder
{
    private readonly double[] means;
    private readonly double[] deviations;

    private CreditFeatureEncoder(double[] means, double[] deviations)
    {
        this.means = means;
        this.deviations = deviations;
    }

    /// <summary>The model's input names: each concept, then <c>&lt;concept&gt;_missing</c>, concept by concept.</summary>
    public static IReadOnlyList<string> InputNames { get; } =
        HarmonisedSchema.FeatureNames.SelectMany(n => new[] { n, n + "_missing" }).ToArray();

    /// <summary>Number of model inputs.</summary>
    public static int InputCount => InputNames.Count;

    /// <summary>Fits the standardisation on <paramref name="training"/> (float64 sums, population deviation).</summary>
    public static CreditFeatureEncoder Fit(CreditTable training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0)
        {
            throw new ArgumentException("Cannot fit the encoder on an empty table.", nameof(training));
        }

        var concepts = HarmonisedSchema.Features.Count;
        var means = new double[concepts];
        var deviations = new double[concepts];
        for (var c = 0; c < concepts; c++)
        {
            var observed = training.Column(c).Where(v => !double.IsNaN(v)).ToArray();
            var mean = observed.Length == 0 ? 0 : observed.Average();
            var deviation = observed.Length == 0 ? 0 : Math.Sqrt(observed.Sum(v => (v - mean) * (v - mean)) / observed.Length);
            means[c] = mean;

            // A constant (or unobserved) concept is centred but not scaled, instead of dividing by zero.
            deviations[c] = deviation > 0 ? deviation : 1;
        }

        return new CreditFeatureEncoder(means, deviations);
    }

    /// <summary>The fitted mean of concept <paramref name="concept"/>'s observed values.</summary>
    public double Mean(int concept) => means[concept];

    /// <summary>The fitted standard deviation of concept <paramref name="concept"/> (1 when constant or unobserved).</summary>
    public double Deviation(int concept) => deviations[concept];

    /// <summary>Encodes <paramref name="table"/> as float32 inputs and labels (1 = bad).</summary>
    public TabularData Encode(CreditTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var concepts = means.Length;
        var features = new float[table.Count * concepts * 2];
        for (var c = 0; c < concepts; c++)
        {
            var column = table.Column(c);
            for (var r = 0; r < table.Count; r++)
            {
                var value = column[r];
                var at = (r * concepts * 2) + (c * 2);
                var missing = double.IsNaN(value);
                features[at] = missing ? 0 : (float)((value - means[c]) / deviations[c]);
                features[at + 1] = missing ? 1 : 0;
            }
        }

        return new TabularData(InputNames, features, table.Bad.Select(b => (long)b).ToArray());
    }
}
