namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>
/// The shared feature set every credit dataset is mapped to, so that one model reads loans from any of them. A concept
/// a dataset lacks is stored as missing (Parquet null) for all its rows; the encoder turns every concept into a
/// standardised value plus a missing-indicator input, so "absent" and "unknown" are explicit inputs, never a silent 0.
/// Monetary amounts are logged; units and currencies (USD, Spanish pesetas/euros, Deutsche Mark) need no conversion
/// because each dataset is standardised with its own statistics (a log of a unit change is a shift).
/// </summary>
public static class HarmonisedSchema
{
    /// <summary>The label column: 1 = bad loan (defaulted / charged off / "bad" class), 0 = good.</summary>
    public const string Label = "bad";

    /// <summary>The concepts, in the model's input order.</summary>
    public static IReadOnlyList<HarmonisedFeature> Features { get; } =
    [
        new("log_loan_amount", "log of the amount lent",
            "log(funded_amnt)", "log(Amount)", "log(credit_amount)"),
        new("term_months", "loan duration in months",
            "term: term_36 = 36, term_60 = 60", "Time", "duration"),
        new("log_income", "log of the applicant's income",
            "log(1 + annual_inc)", "log(Income); NA stays missing", "absent"),
        new("log_burden", "log of the repayment burden relative to income",
            "log(funded_amnt / annual_inc); missing when annual_inc = 0", "log(Amount / Income); missing when Income is NA",
            "log(installment_commitment): instalment as a share of disposable income, classes 1-4"),
        new("age", "applicant's age in years",
            "absent", "Age", "age"),
        new("employment_years", "years in the current employment",
            "emp_length: lt_1 = 0.5, 1..9 = 1..9, ge_10 = 10, unk = missing", "Seniority",
            "employment: unemployed = 0, <1 = 0.5, 1<=X<4 = 2.5, 4<=X<7 = 5.5, >=7 = 10"),
        new("prior_delinquency", "1 when the applicant has a recorded past payment problem",
            "delinq_2yrs > 0", "Records = yes", "credit_history = 'delayed previously'"),
        new("existing_credit", "size of the applicant's other credit obligations",
            "log(1 + total_bal_il)", "log(1 + Debt); NA stays missing", "existing_credits (number of credits at the bank)"),
        new("log_assets", "log of the applicant's savings or assets",
            "absent", "log(1 + Assets); NA stays missing",
            "savings_status class midpoints: <100 = 50, 100<=X<500 = 300, 500<=X<1000 = 750, >=1000 = 1500 (log(1 + x)); 'no known savings' = missing"),
        new("home_owner", "1 when the applicant owns the home",
            "absent", "Home = owner (NA stays missing)", "housing = own"),
        new("home_rent", "1 when the applicant rents",
            "absent", "Home = rent (NA stays missing)", "housing = rent"),
        new("interest_rate", "interest rate in percent set by the lender's own grading",
            "int_rate", "absent", "absent"),
        new("recent_inquiries", "credit inquiries in the last 6 months",
            "inq_last_6mths", "absent", "absent"),
        new("revolving_utilisation", "revolving credit used, percent of the limit",
            "revol_util", "absent", "absent"),
        new("log_expenses", "log of the applicant's regular expenses",
            "absent", "log(Expenses)", "absent"),
        new("checking_balance", "current-account balance class",
            "absent", "absent",
            "checking_status: <0 = 0, 0<=X<200 = 1, >=200 = 2; 'no checking' = missing (no account)"),
    ];

    /// <summary>The concept names, in input order.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } = Features.Select(f => f.Name).ToArray();

    /// <summary>The index of concept <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Not a concept of the schema.</exception>
    public static int IndexOf(string name)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (string.Equals(Features[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException($"'{name}' is not a harmonised credit feature. Features: {string.Join(", ", FeatureNames)}.", nameof(name));
    }
}
