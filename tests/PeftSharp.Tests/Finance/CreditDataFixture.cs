namespace PeftSharp.Tests.Finance;

using System;
using System.IO;
using System.Threading.Tasks;
using CreditRiskLora;
using CreditRiskLora.Data;
using PeftSharp.Data.Sources;
using PeftSharp.Tests.Data;
using Xunit;

/// <summary>
/// Runs the real setup step once for the Finance tests: the Debian packages are fetched into the experiment's ignored
/// .cache folder (apt-get download on first use) and the harmonised Parquet files written into a temporary folder.
/// <see cref="SkipReason"/> is set only where apt-get/dpkg are absent and nothing is cached.
/// </summary>
public sealed class CreditDataFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory directory = new();

    /// <summary>Why the real-data tests cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The folder holding lending_club.parquet, credit_data.parquet and credit_g.parquet.</summary>
    public string DataDirectory => directory.Path;

    /// <summary>The experiment's package cache (shared with `dotnet run`).</summary>
    public static string CacheDirectory => Path.Combine(CreditRiskOptions.ProjectDirectory, ".cache");

    /// <summary>What prepare-data printed.</summary>
    public string Log { get; private set; } = string.Empty;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var cached = DebianPackage.IsExtracted(CreditDataPreparation.ModeldataPackage, CreditDataPreparation.ModeldataVersion, CacheDirectory)
            && DebianPackage.IsExtracted(CreditDataPreparation.WekaPackage, CreditDataPreparation.WekaVersion, CacheDirectory);
        SkipReason = cached ? null : DebianPackage.MissingTools("the credit data comes from the Debian packages r-cran-modeldata and weka");
        if (SkipReason is null)
        {
            var log = new StringWriter();
            await CreditDataPreparation.PrepareAsync(DataDirectory, CacheDirectory, log);
            Log = log.ToString();
        }
    }

    /// <summary>Reads one prepared dataset.</summary>
    public Task<CreditTable> ReadAsync(string name) => CreditTableFile.ReadAsync(CreditDataPreparation.PathOf(DataDirectory, name), name);

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => directory.Dispose();
}
