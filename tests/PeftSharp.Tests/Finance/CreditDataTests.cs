namespace PeftSharp.Tests.Finance;

using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CreditRiskLora.Data;
using FluentAssertions;
using Xunit;

/// <summary>The setup step on the real packages: published counts, the documented mappings, explicit missing values.</summary>
[Collection(CreditDataTestGroup.Name)]
public sealed class CreditDataTests(CreditDataFixture data)
{
    [SkippableFact]
    public async Task Prepare_data_writes_each_dataset_with_its_published_counts_and_is_idempotent()
    {
        Skip.If(data.SkipReason is not null, data.SkipReason);
        foreach (var (name, (rows, bad)) in CreditDataPreparation.PublishedCounts)
        {
            var table = await data.ReadAsync(name);
            table.Count.Should().Be(rows, name);
            table.BadCount.Should().Be(bad, name);
        }

        var path = CreditDataPreparation.PathOf(data.DataDirectory, CreditSources.GermanCredit);
        var written = File.GetLastWriteTimeUtc(path);
        var log = new StringWriter();
        await CreditDataPreparation.PrepareAsync(data.DataDirectory, CreditDataFixture.CacheDirectory, log);
        File.GetLastWriteTimeUtc(path).Should().Be(written);
        log.ToString().Should().Contain("Using the existing harmonised files");
    }

    [SkippableFact]
    public async Task Missing_values_stay_missing_and_absent_concepts_are_missing_on_every_row()
    {
        Skip.If(data.SkipReason is not null, data.SkipReason);
        var creditData = await data.ReadAsync(CreditSources.CreditData);

        // credit_data's NAs (Income 381, Assets 47, Debt 18; Home 6 NA + 20 "ignore") are kept as missing, never filled.
        Missing(creditData, "log_income").Should().Be(381);
        Missing(creditData, "log_burden").Should().Be(381);
        Missing(creditData, "log_assets").Should().Be(47);
        Missing(creditData, "existing_credit").Should().Be(18);
        Missing(creditData, "home_owner").Should().Be(26);
        Missing(creditData, "log_loan_amount").Should().Be(0);
        Missing(creditData, "interest_rate").Should().Be(creditData.Count, "credit_data has no interest rate");

        var lendingClub = await data.ReadAsync(CreditSources.LendingClub);
        Missing(lendingClub, "age").Should().Be(lendingClub.Count);
        Missing(lendingClub, "employment_years").Should().Be(645, "645 loans have emp_unk");

        var german = await data.ReadAsync(CreditSources.GermanCredit);
        Missing(german, "log_income").Should().Be(german.Count);
        Missing(german, "checking_balance").Should().Be(394, "394 applicants have no checking account");
    }

    [SkippableFact]
    public async Task The_first_German_loan_is_mapped_as_documented()
    {
        Skip.If(data.SkipReason is not null, data.SkipReason);
        var german = await data.ReadAsync(CreditSources.GermanCredit);

        // credit-g.arff row 1: '<0',6,'critical/other existing credit',radio/tv,1169,'no known savings','>=7',4,...,67,none,own,2,...,good
        german.Column("log_loan_amount")[0].Should().BeApproximately(Math.Log(1169), 1e-12);
        german.Column("term_months")[0].Should().Be(6);
        german.Column("checking_balance")[0].Should().Be(0);
        german.Column("employment_years")[0].Should().Be(10);
        german.Column("log_burden")[0].Should().BeApproximately(Math.Log(4), 1e-12);
        german.Column("age")[0].Should().Be(67);
        german.Column("prior_delinquency")[0].Should().Be(0, "'critical/other existing credit' is not a delay");
        double.IsNaN(german.Column("log_assets")[0]).Should().BeTrue("'no known savings' is missing");
        german.Column("home_owner")[0].Should().Be(1);
        german.Column("home_rent")[0].Should().Be(0);
        german.Column("existing_credit")[0].Should().Be(2);
        german.Bad[0].Should().Be(0);
        german.Bad[1].Should().Be(1, "the second loan is 'bad'");
    }

    private static int Missing(CreditTable table, string concept) => table.MissingCount(HarmonisedSchema.IndexOf(concept));
}
