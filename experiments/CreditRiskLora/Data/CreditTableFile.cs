namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;

/// <summary>
/// The harmonised Parquet files: one nullable double column per concept (null = missing) and an int32 label
/// <c>bad</c>. Reading checks the file before any training: every concept column present and numeric, the label
/// present, 0/1 and not null, both classes present.
/// </summary>
public static class CreditTableFile
{
    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically (a crash never leaves half a file).</summary>
    public static async Task WriteAsync(string path, CreditTable table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(table);
        var features = HarmonisedSchema.FeatureNames.Select(n => new DataField<double?>(n)).ToArray();
        var label = new DataField<int>(HarmonisedSchema.Label);
        var schema = new ParquetSchema(features.Cast<Field>().Append(label).ToArray());
        await AtomicParquetFile.WriteAsync(path, schema, async writer =>
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < features.Length; c++)
            {
                var values = table.Column(c).Select(v => double.IsNaN(v) ? (double?)null : v).ToArray();
                await group.WriteAsync(features[c], (ReadOnlyMemory<double?>)values, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await group.WriteAsync(label, (ReadOnlyMemory<int>)table.Bad.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a harmonised file written by <see cref="WriteAsync"/> (or by a user bringing their own loans).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist; the message says how to create it.</exception>
    /// <exception cref="InvalidDataException">Not Parquet, a missing or mistyped column, a null or non-0/1 label, no rows or one class only.</exception>
    public static async Task<CreditTable> ReadAsync(string path, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{path}' does not exist. Run `dotnet run --project experiments/CreditRiskLora -- prepare-data` (training runs it on first use).", path);
        }

        RawFrame frame;
        try
        {
            frame = await RawFrame.ReadParquetAsync(path, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' is not a readable Parquet file ({e.Message}); delete it and run prepare-data again.", e);
        }

        var present = frame.Names.ToHashSet(StringComparer.Ordinal);
        var missing = HarmonisedSchema.FeatureNames.Append(HarmonisedSchema.Label).Where(c => !present.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' lacks the harmonised column(s) {string.Join(", ", missing)}. Columns present: {string.Join(", ", frame.Names)}. "
                + "Every concept must be a column (all null when the dataset lacks it); see the experiment's README for the schema.");
        }

        if (frame.RowCount == 0)
        {
            throw new InvalidDataException($"'{path}' has no rows.");
        }

        var columns = HarmonisedSchema.FeatureNames.Select(c => Numeric(frame, path, c)).ToArray();
        var labelValues = Numeric(frame, path, HarmonisedSchema.Label);
        var labels = new int[labelValues.Length];
        for (var r = 0; r < labels.Length; r++)
        {
            labels[r] = labelValues[r] switch
            {
                0 => 0,
                1 => 1,
                var v => throw new InvalidDataException(
                    $"'{path}' row {r}: label '{HarmonisedSchema.Label}' is {(double.IsNaN(v) ? "null" : v.ToString(System.Globalization.CultureInfo.InvariantCulture))}; it must be 0 (good) or 1 (bad)."),
            };
        }

        var table = new CreditTable(name, columns, labels);
        if (table.BadCount == 0 || table.BadCount == table.Count)
        {
            throw new InvalidDataException($"'{path}' has only {(table.BadCount == 0 ? "good" : "bad")} loans; a credit-risk model needs both classes.");
        }

        return table;
    }

    private static double[] Numeric(RawFrame frame, string path, string column)
    {
        try
        {
            return frame.Number(column);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': column '{column}' must be numeric (double, int or bool; null = missing). {e.Message}", e);
        }
    }
}
