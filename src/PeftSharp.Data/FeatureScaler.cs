namespace PeftSharp.Data;

using System;

/// <summary>
/// Standardises features to zero mean and unit variance with statistics fitted on training data only, so no
/// information from evaluation rows leaks into training.
/// </summary>
public sealed class FeatureScaler
{
    private readonly double[] means;
    private readonly double[] deviations;

    private FeatureScaler(double[] means, double[] deviations)
    {
        this.means = means;
        this.deviations = deviations;
    }

    /// <summary>Fits per-feature mean and standard deviation (float64 accumulation) on <paramref name="data"/>.</summary>
    public static FeatureScaler Fit(TabularData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Cannot fit a scaler on an empty dataset.", nameof(data));
        }

        var means = new double[data.FeatureCount];
        var deviations = new double[data.FeatureCount];
        for (var column = 0; column < data.FeatureCount; column++)
        {
            double sum = 0;
            for (var row = 0; row < data.Count; row++)
            {
                sum += data.Feature(row, column);
            }

            var mean = sum / data.Count;
            double squares = 0;
            for (var row = 0; row < data.Count; row++)
            {
                var d = data.Feature(row, column) - mean;
                squares += d * d;
            }

            means[column] = mean;

            // A constant column would divide by zero; leave it centred but unscaled.
            var deviation = Math.Sqrt(squares / data.Count);
            deviations[column] = deviation > 0 ? deviation : 1;
        }

        return new FeatureScaler(means, deviations);
    }

    /// <summary>Applies the fitted standardisation to <paramref name="data"/>.</summary>
    public TabularData Transform(TabularData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != means.Length)
        {
            throw new ArgumentException($"The scaler was fitted on {means.Length} features; the data has {data.FeatureCount}.", nameof(data));
        }

        return data.MapFeatures((_, column, value) => (float)((value - means[column]) / deviations[column]));
    }
}
