namespace FashionResNetLora.Data;

using System.Globalization;
using System.IO;

/// <summary>The Parquet files of one prepared subset.</summary>
/// <param name="Train">Training images.</param>
/// <param name="Validation">Validation images (model selection).</param>
/// <param name="Test">Test images (reported once per method).</param>
public sealed record SubsetFiles(string Train, string Validation, string Test)
{
    /// <summary>The files for <paramref name="sizes"/> in <paramref name="directory"/>, named by their sizes.</summary>
    public static SubsetFiles In(string directory, SubsetSizes sizes) => new(
        Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"fashion-mnist-train-{sizes.Train}.parquet")),
        Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"fashion-mnist-validation-{sizes.Train}-{sizes.Validation}.parquet")),
        Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"fashion-mnist-test-{sizes.Test}.parquet")));
}
