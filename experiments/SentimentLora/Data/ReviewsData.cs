namespace SentimentLora.Data;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using PeftSharp.Data;
using PeftSharp.Data.Sources;
using PeftSharp.Data.Sources.RData;

/// <summary>
/// The Amazon Fine Foods review sentiment data (a subset of SNAP web-FineFoods, MIT, as shipped by the R package
/// modeldata): <c>training_data</c> 4000 reviews (2600 "great" = 5 stars, 1400 "other"), <c>testing_data</c> 1000
/// reviews of other products (658 / 342). Obtained from the Debian package r-cran-modeldata without R: the package is
/// unpacked and its lazy-load database read directly (<see cref="RLazyLoadDatabase"/>).
/// </summary>
public static partial class ReviewsData
{
    /// <summary>The Debian package holding the data.</summary>
    public const string DebianPackageName = "r-cran-modeldata";

    /// <summary>The verified package version (Debian 12 bookworm).</summary>
    public const string DebianPackageVersion = "1.1.0-1";

    /// <summary>File name of the training split.</summary>
    public const string TrainFile = "reviews_train.parquet";

    /// <summary>File name of the test split.</summary>
    public const string TestFile = "reviews_test.parquet";

    /// <summary>Path of the lazy-load index inside the unpacked package.</summary>
    public static readonly string RdxRelativePath = Path.Combine("usr", "lib", "R", "site-library", "modeldata", "data", "Rdata.rdx");

    /// <summary>
    /// The setup step: fetches and unpacks the Debian package into <paramref name="cacheDirectory"/> (once), reads
    /// both splits, checks their published counts, and writes <see cref="TrainFile"/> and <see cref="TestFile"/> into
    /// <paramref name="dataDirectory"/>. Idempotent: existing Parquet files are kept.
    /// </summary>
    public static async Task<(string Train, string Test)> PrepareAsync(
        string dataDirectory, string cacheDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(log);
        var train = Path.Combine(dataDirectory, TrainFile);
        var test = Path.Combine(dataDirectory, TestFile);
        if (File.Exists(train) && File.Exists(test))
        {
            await log.WriteLineAsync($"Using existing {train} and {test} (delete them to regenerate).").ConfigureAwait(false);
            return (train, test);
        }

        var package = await DebianPackage.EnsureExtractedAsync(DebianPackageName, DebianPackageVersion, cacheDirectory, log, cancellationToken).ConfigureAwait(false);
        var database = RLazyLoadDatabase.Open(Path.Combine(package, RdxRelativePath));
        var (trainSet, testSet) = ReadSplits(database);
        await WriteAsync(train, trainSet, cancellationToken).ConfigureAwait(false);
        await WriteAsync(test, testSet, cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"Wrote {trainSet.Count} training reviews ({trainSet.GreatCount} great) to {train} and {testSet.Count} test reviews ({testSet.GreatCount} great) to {test}.")).ConfigureAwait(false);
        return (train, test);
    }

    /// <summary>Reads <c>training_data</c> and <c>testing_data</c> and checks the published counts.</summary>
    /// <exception cref="InvalidDataException">A split is missing, malformed, or has unexpected counts or labels.</exception>
    public static (ReviewSet Train, ReviewSet Test) ReadSplits(RLazyLoadDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var train = ToReviewSet(RDataFrame.From(database.Read("training_data"), "training_data"), "training_data");
        var test = ToReviewSet(RDataFrame.From(database.Read("testing_data"), "testing_data"), "testing_data");
        Expect(train, 4000, 2600, "training_data");
        Expect(test, 1000, 658, "testing_data");
        var shared = train.Products.Intersect(test.Products, StringComparer.Ordinal).Take(3).ToList();
        if (shared.Count > 0)
        {
            throw new InvalidDataException($"Training and test reviews share products ({string.Join(", ", shared)}); the split must be by product.");
        }

        return (train, test);
    }

    /// <summary>
    /// The one preprocessing step: HTML line breaks (<c>&lt;br /&gt;</c> and variants, common in these reviews)
    /// become spaces, runs of whitespace collapse to one space, and the ends are trimmed. Nothing else changes (no
    /// lower-casing: the tokenizer does that).
    /// </summary>
    public static string Preprocess(string review)
    {
        ArgumentNullException.ThrowIfNull(review);
        return Whitespace().Replace(LineBreak().Replace(review, " "), " ").Trim();
    }

    /// <summary>Writes <paramref name="set"/> as Parquet (columns product, review, score, label), atomically.</summary>
    public static async Task WriteAsync(string path, ReviewSet set, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(set);
        set.Validate();
        var product = new DataField<string>("product");
        var review = new DataField<string>("review");
        var score = new DataField<string>("score");
        var label = new DataField<int>("label");
        await AtomicParquetFile.WriteAsync(path, new ParquetSchema(product, review, score, label), async writer =>
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(product, set.Products.ToArray()).ConfigureAwait(false);
            await group.WriteAsync(review, set.Reviews.ToArray()).ConfigureAwait(false);
            await group.WriteAsync(score, set.Scores.ToArray()).ConfigureAwait(false);
            await group.WriteAsync(label, (ReadOnlyMemory<int>)set.Labels.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/>.</summary>
    /// <exception cref="InvalidDataException">A column is missing or has another type; the message says how to regenerate the file.</exception>
    public static async Task<ReviewSet> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist; run `dotnet run --project experiments/SentimentLora -- prepare-data` first.", path);
        }

        var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
            foreach (var name in new[] { "product", "review", "score", "label" })
            {
                if (!fields.ContainsKey(name))
                {
                    throw new InvalidDataException($"{path} has no column '{name}'; delete it and run prepare-data again.");
                }
            }

            var products = new List<string>();
            var reviews = new List<string>();
            var scores = new List<string>();
            var labels = new List<int>();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                products.AddRange(await ReadStringsAsync(group, fields["product"], rows, path, cancellationToken).ConfigureAwait(false));
                reviews.AddRange(await ReadStringsAsync(group, fields["review"], rows, path, cancellationToken).ConfigureAwait(false));
                scores.AddRange(await ReadStringsAsync(group, fields["score"], rows, path, cancellationToken).ConfigureAwait(false));
                if (fields["label"].ClrType != typeof(int))
                {
                    throw new InvalidDataException($"{path}: column 'label' is not int32; delete it and run prepare-data again.");
                }

                var labelValues = new int[rows];
                await group.ReadAsync(fields["label"], labelValues.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                labels.AddRange(labelValues);
            }

            var set = new ReviewSet(products, reviews, scores, labels);
            set.Validate();
            return set;
        }
    }

    private static async Task<string[]> ReadStringsAsync(ParquetRowGroupReader group, DataField field, int rows, string path, CancellationToken cancellationToken)
    {
        var values = new string?[rows];
        await group.ReadAsync(field, values.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return values.Select(v => v ?? throw new InvalidDataException($"{path}: column '{field.Name}' has nulls; delete it and run prepare-data again.")).ToArray();
    }

    private static ReviewSet ToReviewSet(RDataFrame frame, string what)
    {
        var products = frame.Column<string?>("product");
        var reviews = frame.Column<string?>("review");
        var scores = frame.Column<string?>("score");
        var labels = new int[frame.RowCount];
        for (var i = 0; i < frame.RowCount; i++)
        {
            if (products[i] is null || reviews[i] is null || scores[i] is not ("great" or "other"))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{what} row {i + 1} has a missing value or a score other than great/other ('{scores[i]}')."));
            }

            labels[i] = scores[i] == "great" ? 1 : 0;
        }

        return new ReviewSet(products.Select(p => p!).ToArray(), reviews.Select(r => Preprocess(r!)).ToArray(), scores.Select(s => s!).ToArray(), labels);
    }

    private static void Expect(ReviewSet set, int count, int great, string what)
    {
        if (set.Count != count || set.GreatCount != great)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what} has {set.Count} reviews ({set.GreatCount} great); the verified r-cran-modeldata {DebianPackageVersion} has {count} ({great})."));
        }
    }

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
