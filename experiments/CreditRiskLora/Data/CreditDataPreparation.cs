namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data.Import;
using PeftSharp.Data.Sources;
using PeftSharp.Data.Sources.RData;

/// <summary>
/// The setup step (<c>prepare-data</c>): fetches the Debian packages that hold the three credit datasets (cached),
/// maps each to the harmonised schema, checks the published counts, and writes one Parquet file per dataset.
/// Idempotent: existing Parquet files are kept. Nothing of the GPL'd Weka package is committed; it is fetched here.
/// </summary>
public static class CreditDataPreparation
{
    /// <summary>Debian package with <c>lending_club</c> and <c>credit_data</c> (MIT).</summary>
    public const string ModeldataPackage = "r-cran-modeldata";

    /// <summary>The verified modeldata package version (Debian 12).</summary>
    public const string ModeldataVersion = "1.1.0-1";

    /// <summary>Debian package with <c>credit-g.arff</c> among Weka's examples (GPL).</summary>
    public const string WekaPackage = "weka";

    /// <summary>The verified Weka package version (Debian 12).</summary>
    public const string WekaVersion = "3.6.14-3";

    /// <summary>Rows and bad loans of each dataset in the verified package versions.</summary>
    public static IReadOnlyDictionary<string, (int Rows, int Bad)> PublishedCounts { get; } = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        [CreditSources.LendingClub] = (9857, 517),
        [CreditSources.CreditData] = (4454, 1254),
        [CreditSources.GermanCredit] = (1000, 300),
    };

    private static readonly string RdxRelativePath = Path.Combine("usr", "lib", "R", "site-library", "modeldata", "data", "Rdata.rdx");
    private static readonly string ArffRelativePath = Path.Combine("usr", "share", "doc", "weka", "examples", "credit-g.arff");

    /// <summary>The harmonised Parquet file of dataset <paramref name="name"/> in <paramref name="dataDirectory"/>.</summary>
    public static string PathOf(string dataDirectory, string name) => Path.Combine(dataDirectory, $"{name}.parquet");

    /// <summary>
    /// Writes the harmonised Parquet file of each dataset in <paramref name="names"/> (default: all three) that does not
    /// exist yet into <paramref name="dataDirectory"/>, fetching packages into <paramref name="cacheDirectory"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">apt-get/dpkg are missing or fail (the message says what to do).</exception>
    /// <exception cref="InvalidDataException">A dataset does not have its published shape or holds unknown categories.</exception>
    public static async Task PrepareAsync(
        string dataDirectory, string cacheDirectory, TextWriter log, IReadOnlyCollection<string>? names = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        ArgumentNullException.ThrowIfNull(log);
        var wanted = names ?? CreditSources.Names;
        var unknown = wanted.Where(n => !PublishedCounts.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown credit dataset(s) {string.Join(", ", unknown)}; known: {string.Join(", ", CreditSources.Names)}.", nameof(names));
        }

        var todo = wanted.Where(n => !File.Exists(PathOf(dataDirectory, n))).ToList();
        if (todo.Count == 0)
        {
            await log.WriteLineAsync($"Using the existing harmonised files in {Path.GetFullPath(dataDirectory)} (delete them to regenerate).").ConfigureAwait(false);
            return;
        }

        foreach (var name in todo)
        {
            var table = await LoadSourceAsync(name, cacheDirectory, log, cancellationToken).ConfigureAwait(false);
            CheckPublishedCounts(table);
            var path = PathOf(dataDirectory, name);
            await CreditTableFile.WriteAsync(path, table, cancellationToken).ConfigureAwait(false);
            await log.WriteLineAsync($"Wrote {table} to {path}").ConfigureAwait(false);
        }
    }

    /// <summary>Reads dataset <paramref name="name"/> from its Debian package (fetched into the cache on first use) and maps it.</summary>
    public static async Task<CreditTable> LoadSourceAsync(string name, string cacheDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == CreditSources.GermanCredit)
        {
            var weka = await DebianPackage.EnsureExtractedAsync(WekaPackage, WekaVersion, cacheDirectory, log, cancellationToken).ConfigureAwait(false);
            return await ReadGermanCreditAsync(Path.Combine(weka, ArffRelativePath), cancellationToken).ConfigureAwait(false);
        }

        var modeldata = await DebianPackage.EnsureExtractedAsync(ModeldataPackage, ModeldataVersion, cacheDirectory, log, cancellationToken).ConfigureAwait(false);
        var database = RLazyLoadDatabase.Open(Path.Combine(modeldata, RdxRelativePath));
        var frame = RawFrame.FromR(RDataFrame.From(database.Read(name), name), name);
        return name == CreditSources.LendingClub ? CreditSources.FromLendingClub(frame) : CreditSources.FromCreditData(frame);
    }

    /// <summary>Reads the German credit ARFF with PeftSharp's importer (ARFF to Parquet, nominal values checked) and maps it.</summary>
    public static async Task<CreditTable> ReadGermanCreditAsync(string arffPath, CancellationToken cancellationToken = default)
    {
        var raw = Path.Combine(Path.GetTempPath(), $"credit-g.{Guid.NewGuid():N}.parquet");
        try
        {
            await TableImporter.ImportAsync(arffPath, raw, cancellationToken: cancellationToken).ConfigureAwait(false);
            return CreditSources.FromGermanCredit(await RawFrame.ReadParquetAsync(raw, CreditSources.GermanCredit, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static void CheckPublishedCounts(CreditTable table)
    {
        var (rows, bad) = PublishedCounts[table.Name];
        if (table.Count != rows || table.BadCount != bad)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{table.Name} has {table.Count} loans ({table.BadCount} bad); the verified packages ({ModeldataPackage} {ModeldataVersion}, {WekaPackage} {WekaVersion}) have {rows} ({bad})."));
        }
    }
}
