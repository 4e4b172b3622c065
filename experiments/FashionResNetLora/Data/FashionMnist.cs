namespace FashionResNetLora.Data;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;
using PeftSharp.Data.Sources;

/// <summary>
/// Fashion-MNIST (Zalando, MIT): 60,000 training and 10,000 test grayscale 28x28 images of 10 clothing classes, from
/// the Debian package <c>dataset-fashion-mnist</c>. The setup step fetches the package (apt-get download; cached),
/// reads its IDX files and writes class-balanced subsets as Parquet: raw pixels (binary, 28x28x1 uint8) and labels.
/// </summary>
public static class FashionMnist
{
    /// <summary>The Debian package with the IDX files.</summary>
    public const string DebianPackageName = "dataset-fashion-mnist";

    /// <summary>The package version the counts were verified against (Debian 12).</summary>
    public const string DebianPackageVersion = "0.0~git20200523.55506a9-1";

    /// <summary>Image side in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Parquet column of the raw pixels.</summary>
    public const string ImageColumn = "image";

    /// <summary>Parquet column of the class index.</summary>
    public const string LabelColumn = "label";

    private const string DataFolder = "usr/share/datasets/fashion-mnist";

    /// <summary>The class names, by index.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The dataset declaration for a file written by <see cref="PrepareAsync"/>: pixels scaled to 0-1, labels 0-9.</summary>
    public static DatasetSpec Spec(string name, string path) =>
        new DatasetSpec(name, path)
            .Image(ImageColumn, ImageColumn, new ImageFormat(ImageEncoding.UInt8HeightWidthChannels, 1, ImageSize, ImageSize))
            .Label(LabelColumn, LabelColumn, ClassCount);

    /// <summary>
    /// Writes the subsets (idempotent: existing files are kept): <paramref name="sizes"/>.Train and .Validation images
    /// from the official training set (disjoint, the first images of each class in file order), .Test from the official
    /// test set. Each size must be a multiple of 10 (equal classes).
    /// </summary>
    /// <returns>The three Parquet files.</returns>
    /// <exception cref="InvalidOperationException">apt-get or dpkg is missing or fails.</exception>
    /// <exception cref="InvalidDataException">The package's files are damaged or a subset is larger than the data.</exception>
    public static async Task<SubsetFiles> PrepareAsync(
        string dataDirectory, string cacheDirectory, SubsetSizes sizes, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(log);
        sizes.Validate();
        var files = SubsetFiles.In(dataDirectory, sizes);
        if (File.Exists(files.Train) && File.Exists(files.Validation) && File.Exists(files.Test))
        {
            return files;
        }

        var root = Path.Combine(
            await DebianPackage.EnsureExtractedAsync(DebianPackageName, DebianPackageVersion, cacheDirectory, log, cancellationToken).ConfigureAwait(false),
            DataFolder);
        var (trainImages, trainLabels) = Read(root, "train", 60_000);
        var (testImages, testLabels) = Read(root, "t10k", 10_000);
        var train = BalancedSubset(trainLabels, 0, sizes.Train / ClassCount);
        var validation = BalancedSubset(trainLabels, sizes.Train / ClassCount, sizes.Validation / ClassCount);
        var test = BalancedSubset(testLabels, 0, sizes.Test / ClassCount);
        await WriteAsync(files.Train, trainImages, trainLabels, train, cancellationToken).ConfigureAwait(false);
        await WriteAsync(files.Validation, trainImages, trainLabels, validation, cancellationToken).ConfigureAwait(false);
        await WriteAsync(files.Test, testImages, testLabels, test, cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"Wrote Fashion-MNIST subsets: {train.Length} training and {validation.Length} validation images (official training set), {test.Length} test images (official test set) to {dataDirectory}.")).ConfigureAwait(false);
        return files;
    }

    /// <summary>
    /// Indices of rows <paramref name="skipPerClass"/> to <paramref name="skipPerClass"/> + <paramref name="perClass"/> - 1
    /// of each class, counted in file order; the result is in file order.
    /// </summary>
    /// <exception cref="InvalidDataException">A class has too few rows.</exception>
    public static int[] BalancedSubset(IReadOnlyList<byte> labels, int skipPerClass, int perClass)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var seen = new int[ClassCount];
        var chosen = new List<int>(ClassCount * perClass);
        for (var i = 0; i < labels.Count; i++)
        {
            var n = seen[labels[i]]++;
            if (n >= skipPerClass && n < skipPerClass + perClass)
            {
                chosen.Add(i);
            }
        }

        var shortClass = Array.FindIndex(seen, n => n < skipPerClass + perClass);
        if (shortClass >= 0)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture, $"Class {shortClass} has {seen[shortClass]} images; {skipPerClass + perClass} are needed. Ask for a smaller subset."));
        }

        return [.. chosen];
    }

    private static (byte[] Pixels, byte[] Labels) Read(string root, string prefix, int expectedCount)
    {
        var imagesPath = Path.Combine(root, $"{prefix}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(root, $"{prefix}-labels-idx1-ubyte.gz");
        var (count, rows, columns, pixels) = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(labelsPath, ClassCount);
        if (count != expectedCount || labels.Length != expectedCount || rows != ImageSize || columns != ImageSize)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{imagesPath} holds {count} images of {rows}x{columns} and {labelsPath} {labels.Length} labels; Fashion-MNIST has {expectedCount} of {ImageSize}x{ImageSize}."));
        }

        return (pixels, labels);
    }

    private static async Task WriteAsync(string path, byte[] pixels, byte[] labels, int[] rows, CancellationToken cancellationToken)
    {
        const int pixelCount = ImageSize * ImageSize;
        var images = new byte[rows.Length][];
        var classes = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            images[i] = pixels.AsSpan(rows[i] * pixelCount, pixelCount).ToArray();
            classes[i] = labels[rows[i]];
        }

        var image = new DataField<byte[]>(ImageColumn);
        var label = new DataField<int>(LabelColumn);
        await AtomicParquetFile.WriteAsync(path, new ParquetSchema(image, label), async writer =>
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(image, images).ConfigureAwait(false);
            await group.WriteAsync(label, (ReadOnlyMemory<int>)classes, cancellationToken: cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
