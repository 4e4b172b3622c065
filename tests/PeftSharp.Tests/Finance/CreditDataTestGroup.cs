namespace PeftSharp.Tests.Finance;

using Xunit;

/// <summary>
/// The Finance tests that need the real data share one <see cref="CreditDataFixture"/>: the packages are fetched and the
/// Parquet files written once, never by two test classes at the same time into the same cache.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CreditDataTestGroup : ICollectionFixture<CreditDataFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "credit-data";
}
