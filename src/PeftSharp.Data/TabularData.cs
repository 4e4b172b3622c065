namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

/// <summary>
/// An in-memory tabular dataset: a row-major float32 feature matrix and integer labels. Rows can be selected,
/// split and turned into tensors on any device.
/// </summary>
public sealed class TabularData
{
    private readonly float[] features;
    private readonly long[] labels;

    /// <summary>Creates the dataset; <paramref name="features"/> is row-major with <c>featureNames.Count</c> columns.</summary>
    public TabularData(IReadOnlyList<string> featureNames, float[] features, long[] labels)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (featureNames.Count == 0 || features.Length != labels.Length * featureNames.Count)
        {
            throw new ArgumentException(
                $"{features.Length} feature values do not form {labels.Length} rows of {featureNames.Count} columns.");
        }

        FeatureNames = featureNames;
        this.features = features;
        this.labels = labels;
    }

    /// <summary>Feature column names, in input order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Number of rows.</summary>
    public int Count => labels.Length;

    /// <summary>Number of feature columns.</summary>
    public int FeatureCount => FeatureNames.Count;

    /// <summary>Number of classes: the largest label plus one.</summary>
    public int ClassCount => labels.Length == 0 ? 0 : (int)labels.Max() + 1;

    /// <summary>The label of row <paramref name="row"/>.</summary>
    public long Label(int row) => labels[row];

    /// <summary>The value of feature <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public float Feature(int row, int column) => features[(row * FeatureCount) + column];

    /// <summary>The values of one feature column across all rows.</summary>
    public float[] Column(string name)
    {
        var column = IndexOf(name);
        var values = new float[Count];
        for (var row = 0; row < Count; row++)
        {
            values[row] = Feature(row, column);
        }

        return values;
    }

    /// <summary>The index of feature <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such feature; the message lists the features present.</exception>
    public int IndexOf(string name)
    {
        for (var i = 0; i < FeatureNames.Count; i++)
        {
            if (string.Equals(FeatureNames[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException($"Feature '{name}' does not exist. Features: {string.Join(", ", FeatureNames)}.");
    }

    /// <summary>A new dataset holding the given rows, in the given order.</summary>
    public TabularData Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var selectedFeatures = new float[rows.Count * FeatureCount];
        var selectedLabels = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            Array.Copy(features, rows[i] * FeatureCount, selectedFeatures, i * FeatureCount, FeatureCount);
            selectedLabels[i] = labels[rows[i]];
        }

        return new TabularData(FeatureNames, selectedFeatures, selectedLabels);
    }

    /// <summary>The dataset with every feature mapped through <paramref name="transform"/> (row, column, value).</summary>
    public TabularData MapFeatures(Func<int, int, float, float> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        var mapped = new float[features.Length];
        for (var row = 0; row < Count; row++)
        {
            for (var column = 0; column < FeatureCount; column++)
            {
                var index = (row * FeatureCount) + column;
                mapped[index] = transform(row, column, features[index]);
            }
        }

        return new TabularData(FeatureNames, mapped, labels);
    }

    /// <summary>Features as a float32 tensor [rows, features] on <paramref name="device"/>.</summary>
    public Tensor FeaturesTensor(Device? device = null) =>
        tensor(features, [Count, FeatureCount], ScalarType.Float32, device);

    /// <summary>Labels as an int64 tensor [rows] on <paramref name="device"/>.</summary>
    public Tensor LabelsTensor(Device? device = null) => tensor(labels, [Count], ScalarType.Int64, device);
}
