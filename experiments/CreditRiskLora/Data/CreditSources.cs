namespace CreditRiskLora.Data;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

/// <summary>
/// Maps each source dataset to the harmonised schema, exactly as documented in <see cref="HarmonisedSchema"/>. Every
/// categorical value is checked: an unknown category is an error (a new package version must be looked at), never
/// silently mapped.
/// </summary>
public static class CreditSources
{
    /// <summary>Name of the LendingClub loans (modeldata <c>lending_club</c>: 9,857 loans, 517 bad).</summary>
    public const string LendingClub = "lending_club";

    /// <summary>Name of the consumer-credit data (modeldata <c>credit_data</c>: 4,454 loans, 1,254 bad, with NAs).</summary>
    public const string CreditData = "credit_data";

    /// <summary>Name of the German credit data (Weka <c>credit-g.arff</c>: 1,000 loans, 300 bad).</summary>
    public const string GermanCredit = "credit_g";

    /// <summary>The dataset names, as the experiment's options take them.</summary>
    public static IReadOnlyList<string> Names { get; } = [LendingClub, CreditData, GermanCredit];

    /// <summary>Maps modeldata's <c>lending_club</c>.</summary>
    /// <exception cref="InvalidDataException">A column is missing or holds an unknown category or label.</exception>
    public static CreditTable FromLendingClub(RawFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var amount = frame.Number("funded_amnt");
        var term = frame.Text("term");
        var income = frame.Number("annual_inc");
        var employment = frame.Text("emp_length");
        var delinquencies = frame.Number("delinq_2yrs");
        var instalmentBalance = frame.Number("total_bal_il");
        var rate = frame.Number("int_rate");
        var inquiries = frame.Number("inq_last_6mths");
        var utilisation = frame.Number("revol_util");
        var labels = Labels(frame, "Class");
        var builder = new Builder(frame.RowCount);
        for (var r = 0; r < frame.RowCount; r++)
        {
            builder.Set("log_loan_amount", r, Math.Log(amount[r]));
            builder.Set("term_months", r, Category(frame, "term", r, term[r], new() { ["term_36"] = 36, ["term_60"] = 60 }));
            builder.Set("log_income", r, Math.Log(1 + income[r]));
            builder.Set("log_burden", r, income[r] > 0 ? Math.Log(amount[r] / income[r]) : double.NaN);
            builder.Set("employment_years", r, EmploymentLength(frame, r, employment[r]));
            builder.Set("prior_delinquency", r, Flag(delinquencies[r] > 0, delinquencies[r]));
            builder.Set("existing_credit", r, Math.Log(1 + instalmentBalance[r]));
            builder.Set("interest_rate", r, rate[r]);
            builder.Set("recent_inquiries", r, inquiries[r]);
            builder.Set("revolving_utilisation", r, utilisation[r]);
        }

        return builder.Build(LendingClub, labels);
    }

    /// <summary>Maps modeldata's <c>credit_data</c> (NAs in Home, Marital, Job, Income, Assets, Debt stay missing).</summary>
    /// <exception cref="InvalidDataException">A column is missing or holds an unknown category or label.</exception>
    public static CreditTable FromCreditData(RawFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var amount = frame.Number("Amount");
        var time = frame.Number("Time");
        var income = frame.Number("Income");
        var age = frame.Number("Age");
        var seniority = frame.Number("Seniority");
        var records = frame.Text("Records");
        var debt = frame.Number("Debt");
        var assets = frame.Number("Assets");
        var home = frame.Text("Home");
        var expenses = frame.Number("Expenses");
        var labels = Labels(frame, "Status");
        var homes = new HashSet<string>(["owner", "rent", "parents", "priv", "other", "ignore"], StringComparer.Ordinal);
        var builder = new Builder(frame.RowCount);
        for (var r = 0; r < frame.RowCount; r++)
        {
            builder.Set("log_loan_amount", r, Math.Log(amount[r]));
            builder.Set("term_months", r, time[r]);
            builder.Set("log_income", r, Math.Log(income[r]));
            builder.Set("log_burden", r, Math.Log(amount[r] / income[r]));
            builder.Set("age", r, age[r]);
            builder.Set("employment_years", r, seniority[r]);
            builder.Set("prior_delinquency", r, Category(frame, "Records", r, records[r], new() { ["no"] = 0, ["yes"] = 1 }));
            builder.Set("existing_credit", r, Math.Log(1 + debt[r]));
            builder.Set("log_assets", r, Math.Log(1 + assets[r]));

            // "ignore" is the data's own code for an unrecorded home situation: missing, like NA.
            if (home[r] is { } h && !homes.Contains(h))
            {
                throw Unknown(frame, "Home", r, h, homes);
            }

            var known = home[r] is not (null or "ignore");
            builder.Set("home_owner", r, known ? (home[r] == "owner" ? 1 : 0) : double.NaN);
            builder.Set("home_rent", r, known ? (home[r] == "rent" ? 1 : 0) : double.NaN);
            builder.Set("log_expenses", r, Math.Log(expenses[r]));
        }

        return builder.Build(CreditData, labels);
    }

    /// <summary>Maps Weka's <c>credit-g</c> (the German credit data, read from its ARFF file).</summary>
    /// <exception cref="InvalidDataException">A column is missing or holds an unknown category or label.</exception>
    public static CreditTable FromGermanCredit(RawFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var checking = frame.Text("checking_status");
        var duration = frame.Number("duration");
        var history = frame.Text("credit_history");
        var amount = frame.Number("credit_amount");
        var savings = frame.Text("savings_status");
        var employment = frame.Text("employment");
        var instalmentRate = frame.Number("installment_commitment");
        var age = frame.Number("age");
        var housing = frame.Text("housing");
        var credits = frame.Number("existing_credits");
        var labels = Labels(frame, "class");
        var histories = new HashSet<string>(
            ["no credits/all paid", "all paid", "existing paid", "delayed previously", "critical/other existing credit"], StringComparer.Ordinal);
        var builder = new Builder(frame.RowCount);
        for (var r = 0; r < frame.RowCount; r++)
        {
            builder.Set("log_loan_amount", r, Math.Log(amount[r]));
            builder.Set("term_months", r, duration[r]);
            builder.Set("log_burden", r, Math.Log(instalmentRate[r]));
            builder.Set("age", r, age[r]);
            builder.Set("employment_years", r, Category(frame, "employment", r, employment[r], new()
            {
                ["unemployed"] = 0, ["<1"] = 0.5, ["1<=X<4"] = 2.5, ["4<=X<7"] = 5.5, [">=7"] = 10,
            }));
            if (history[r] is not { } h || !histories.Contains(h))
            {
                throw Unknown(frame, "credit_history", r, history[r], histories);
            }

            builder.Set("prior_delinquency", r, h == "delayed previously" ? 1 : 0);
            builder.Set("existing_credit", r, credits[r]);
            builder.Set("log_assets", r, Math.Log(1 + Category(frame, "savings_status", r, savings[r], new()
            {
                ["<100"] = 50, ["100<=X<500"] = 300, ["500<=X<1000"] = 750, [">=1000"] = 1500, ["no known savings"] = double.NaN,
            })));
            var home = Category(frame, "housing", r, housing[r], new() { ["own"] = 0, ["rent"] = 1, ["for free"] = 2 });
            builder.Set("home_owner", r, home == 0 ? 1 : 0);
            builder.Set("home_rent", r, home == 1 ? 1 : 0);
            builder.Set("checking_balance", r, Category(frame, "checking_status", r, checking[r], new()
            {
                ["<0"] = 0, ["0<=X<200"] = 1, [">=200"] = 2, ["no checking"] = double.NaN,
            }));
        }

        return builder.Build(GermanCredit, labels);
    }

    // "bad"/"good" labels, case as in all three sources.
    private static int[] Labels(RawFrame frame, string column)
    {
        var values = frame.Text(column);
        var labels = new int[values.Length];
        for (var r = 0; r < values.Length; r++)
        {
            labels[r] = values[r] switch
            {
                "bad" => 1,
                "good" => 0,
                var other => throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture, $"{frame.Name} row {r + 1}: label column '{column}' is '{other ?? "NA"}'; expected 'bad' or 'good'.")),
            };
        }

        return labels;
    }

    private static double EmploymentLength(RawFrame frame, int row, string? value) => value switch
    {
        "emp_lt_1" => 0.5,
        "emp_ge_10" => 10,
        "emp_unk" => double.NaN,
        _ when value is not null && value.StartsWith("emp_", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var years) && years is >= 1 and <= 9 => years,
        _ => throw Unknown(frame, "emp_length", row, value, ["emp_lt_1", "emp_1", "...", "emp_9", "emp_ge_10", "emp_unk"]),
    };

    // NaN in, NaN out: a missing count stays missing.
    private static double Flag(bool value, double source) => double.IsNaN(source) ? double.NaN : value ? 1 : 0;

    private static double Category(RawFrame frame, string column, int row, string? value, Dictionary<string, double> codes) =>
        value is not null && codes.TryGetValue(value, out var code) ? code : throw Unknown(frame, column, row, value, codes.Keys);

    private static InvalidDataException Unknown(RawFrame frame, string column, int row, string? value, IEnumerable<string> known) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"{frame.Name} row {row + 1}: column '{column}' has '{value ?? "NA"}', which the harmonised mapping does not know. Known: {string.Join(", ", known)}."));

    // Collects the harmonised columns; concepts a dataset never sets stay missing (NaN) for all rows.
    private sealed class Builder(int rows)
    {
        private readonly double[][] columns = HarmonisedSchema.Features.Select(_ => Enumerable.Repeat(double.NaN, rows).ToArray()).ToArray();

        public void Set(string concept, int row, double value) => columns[HarmonisedSchema.IndexOf(concept)][row] = value;

        public CreditTable Build(string name, int[] labels) => new(name, columns, labels);
    }
}
