namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

/// <summary>
/// Loans of one dataset in the harmonised schema (<see cref="HarmonisedSchema"/>): one column per concept, in schema
/// order, NaN where a value is missing, and the label (1 = bad).
/// </summary>
public sealed class CreditTable
{
    private readonly double[][] columns;
    private readonly int[] bad;

    /// <summary>Creates the table and checks its shape and labels.</summary>
    /// <exception cref="ArgumentException">Not one column per concept, ragged columns, an infinite value, or a label other than 0/1.</exception>
    public CreditTable(string name, IReadOnlyList<double[]> columns, int[] bad)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(bad);
        if (columns.Count != HarmonisedSchema.Features.Count)
        {
            throw new ArgumentException($"{name}: {columns.Count} columns given; the harmonised schema has {HarmonisedSchema.Features.Count}.", nameof(columns));
        }

        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Length != bad.Length)
            {
                throw new ArgumentException($"{name}: column '{HarmonisedSchema.FeatureNames[c]}' has {columns[c].Length} values for {bad.Length} labels.", nameof(columns));
            }

            var infinite = Array.FindIndex(columns[c], double.IsInfinity);
            if (infinite >= 0)
            {
                throw new ArgumentException($"{name}: column '{HarmonisedSchema.FeatureNames[c]}' is infinite at row {infinite}; missing values are NaN.", nameof(columns));
            }
        }

        var wrong = Array.FindIndex(bad, b => b is not (0 or 1));
        if (wrong >= 0)
        {
            throw new ArgumentException($"{name}: label '{HarmonisedSchema.Label}' is {bad[wrong]} at row {wrong}; it must be 0 (good) or 1 (bad).", nameof(bad));
        }

        Name = name;
        this.columns = columns.ToArray();
        this.bad = bad;
    }

    /// <summary>The dataset's name (e.g. credit_data).</summary>
    public string Name { get; }

    /// <summary>Number of loans.</summary>
    public int Count => bad.Length;

    /// <summary>Number of bad loans.</summary>
    public int BadCount => bad.Count(b => b == 1);

    /// <summary>Share of bad loans.</summary>
    public double BadRate => Count == 0 ? 0 : (double)BadCount / Count;

    /// <summary>The labels (1 = bad).</summary>
    public IReadOnlyList<int> Bad => bad;

    /// <summary>The values of concept <paramref name="concept"/> (schema index), NaN where missing.</summary>
    public IReadOnlyList<double> Column(int concept) => columns[concept];

    /// <summary>The values of concept <paramref name="name"/>, NaN where missing.</summary>
    public IReadOnlyList<double> Column(string name) => columns[HarmonisedSchema.IndexOf(name)];

    /// <summary>How many values of concept <paramref name="concept"/> are missing.</summary>
    public int MissingCount(int concept) => columns[concept].Count(double.IsNaN);

    /// <summary>A table of the given rows, in the given order.</summary>
    public CreditTable Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new CreditTable(Name, columns.Select(c => rows.Select(r => c[r]).ToArray()).ToArray(), rows.Select(r => bad[r]).ToArray());
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}: {Count} loans, {BadCount} bad ({BadRate:P1})");
}
