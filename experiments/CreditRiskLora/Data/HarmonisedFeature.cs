namespace CreditRiskLora.Data;

/// <summary>
/// One concept of the shared credit feature set and how each source dataset provides it ("absent" when it does not:
/// then every row of that dataset has the concept missing).
/// </summary>
/// <param name="Name">Column name in the harmonised Parquet files.</param>
/// <param name="Meaning">What the value measures, in the units stored.</param>
/// <param name="LendingClub">The mapping from <c>lending_club</c>.</param>
/// <param name="CreditData">The mapping from <c>credit_data</c>.</param>
/// <param name="GermanCredit">The mapping from <c>credit-g</c>.</param>
public sealed record HarmonisedFeature(string Name, string Meaning, string LendingClub, string CreditData, string GermanCredit);
