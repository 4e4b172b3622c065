namespace BreastCancerLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data;

/// <summary>
/// The Wisconsin diagnostic breast cancer data (569 tumours, 30 features, scikit-learn's copy shipped by Debian's
/// python3-sklearn) and its conversion from scikit-learn's CSV to Parquet.
/// </summary>
public static class BreastCancerData
{
    /// <summary>The label column: 0 = malignant, 1 = benign (scikit-learn's coding).</summary>
    public const string Label = "target";

    /// <summary>The 30 feature columns: mean, standard error and worst value of 10 nucleus measurements.</summary>
    public static IReadOnlyList<string> Features { get; } = BuildFeatureNames();

    /// <summary>The column mapping the experiment reads.</summary>
    public static TabularColumns Columns { get; } = new(Features, Label);

    /// <summary>The CSV committed with the experiment (copied next to the program by the build).</summary>
    public static string BundledCsv => Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv");

    /// <summary>
    /// Converts scikit-learn's CSV (a "rows,features,class names" header line, then rows of features and the label)
    /// to Parquet with named columns: double features and an int64 label.
    /// </summary>
    /// <exception cref="InvalidDataException">The CSV does not have the documented shape; the message names the line.</exception>
    public static async Task ConvertCsvToParquetAsync(string csvPath, string parquetPath, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(csvPath))
        {
            throw new FileNotFoundException($"'{csvPath}' does not exist. Restore it with experiments/BreastCancerLora/data/fetch-breast-cancer.sh.", csvPath);
        }

        var lines = await File.ReadAllLinesAsync(csvPath, cancellationToken).ConfigureAwait(false);
        var header = lines.Length > 0 ? lines[0].Split(',') : [];
        if (header.Length < 2
            || !int.TryParse(header[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rows)
            || !int.TryParse(header[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var featureCount)
            || featureCount != Features.Count
            || rows != lines.Length - 1)
        {
            throw new InvalidDataException(
                $"'{csvPath}' line 1 should read '<rows>,{Features.Count},malignant,benign' with <rows> equal to the data lines ({lines.Length - 1}).");
        }

        var columns = Enumerable.Range(0, Features.Count).Select(_ => new double[rows]).ToArray();
        var labels = new long[rows];
        for (var row = 0; row < rows; row++)
        {
            var cells = lines[row + 1].Split(',');
            if (cells.Length != Features.Count + 1)
            {
                throw new InvalidDataException($"'{csvPath}' line {row + 2} has {cells.Length} fields; expected {Features.Count + 1}.");
            }

            for (var column = 0; column < Features.Count; column++)
            {
                columns[column][row] = double.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new InvalidDataException($"'{csvPath}' line {row + 2}, column '{Features[column]}': '{cells[column]}' is not a number.");
            }

            labels[row] = cells[^1] is "0" or "1"
                ? long.Parse(cells[^1], CultureInfo.InvariantCulture)
                : throw new InvalidDataException($"'{csvPath}' line {row + 2}: label '{cells[^1]}' is not 0 (malignant) or 1 (benign).");
        }

        var data = Features.Select((name, i) => new ColumnData(name, columns[i])).Append(new ColumnData(Label, labels)).ToList();
        await ParquetTableWriter.WriteAsync(parquetPath, data, cancellationToken).ConfigureAwait(false);
    }

    private static string[] BuildFeatureNames()
    {
        string[] measurements =
        [
            "radius", "texture", "perimeter", "area", "smoothness",
            "compactness", "concavity", "concave_points", "symmetry", "fractal_dimension",
        ];
        return measurements.Select(m => $"mean_{m}")
            .Concat(measurements.Select(m => $"{m}_error"))
            .Concat(measurements.Select(m => $"worst_{m}"))
            .ToArray();
    }
}
