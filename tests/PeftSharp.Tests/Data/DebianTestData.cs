namespace PeftSharp.Tests.Data;

using FashionResNetLora;
using FashionResNetLora.Data;
using PeftSharp.Data.Sources;
using SentimentLora;
using SentimentLora.Data;

/// <summary>
/// Why a test's real data cannot be had on this machine (its Debian package is neither cached nor fetchable), or null:
/// the reason a test skips with.
/// </summary>
internal static class DebianTestData
{
    /// <summary>Fashion-MNIST (dataset-fashion-mnist).</summary>
    public static string? FashionMnistUnavailable() => Unavailable(
        FashionMnist.DebianPackageName, FashionMnist.DebianPackageVersion, ExperimentPaths.DefaultCacheDirectory,
        "Fashion-MNIST comes from the Debian package dataset-fashion-mnist");

    /// <summary>The Amazon Fine Foods reviews (r-cran-modeldata).</summary>
    public static string? ReviewsUnavailable() => Unavailable(
        ReviewsData.DebianPackageName, ReviewsData.DebianPackageVersion, SentimentExperiment.DefaultCacheDirectory,
        "the review data comes from the Debian package r-cran-modeldata");

    /// <summary>One package, unpacked in <paramref name="cacheDirectory"/> or fetched with apt-get.</summary>
    public static string? Unavailable(string package, string version, string cacheDirectory, string purpose) =>
        DebianPackage.IsExtracted(package, version, cacheDirectory) ? null : DebianPackage.MissingTools(purpose);
}
