namespace PeftSharp.Data;

using System;

/// <summary>
/// Deterministic train / validation / test assignment: each row's key (its global row index, or the value of
/// <see cref="KeyColumn"/>) is hashed with <see cref="Seed"/> to a number u in [0, 1); u &lt; Test goes to test,
/// u &lt; Test + Validation to validation, the rest to training. A row is in exactly one split, the assignment needs
/// no pass over the data and no memory, and it is the same on every run and machine. With a key column, rows that
/// share a key (one patient, one user) always land in the same split, whatever the file order.
/// </summary>
/// <param name="Validation">Fraction of rows for validation.</param>
/// <param name="Test">Fraction of rows for test.</param>
/// <param name="Seed">Seed of the assignment.</param>
/// <param name="KeyColumn">A string or integer column to split by; null splits by row index.</param>
public sealed record SplitSpec(double Validation, double Test, int Seed, string? KeyColumn = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> when the fractions are not in [0, 1) or sum to 1 or more.</summary>
    public void Validate()
    {
        if (!(Validation >= 0 && Test >= 0 && Validation + Test < 1))
        {
            throw new ArgumentException(
                $"Split fractions must be 0 or more and leave rows for training (validation {Validation}, test {Test}).");
        }
    }

    /// <summary>The split of the row whose key hashes to <paramref name="keyHash"/>.</summary>
    public DataSplit Assign(ulong keyHash)
    {
        var u = StableHash.ToUnit(StableHash.Mix(keyHash ^ StableHash.Mix(unchecked((ulong)Seed))));
        return u < Test ? DataSplit.Test : u < Test + Validation ? DataSplit.Validation : DataSplit.Train;
    }

    /// <summary>The split of the row with global index <paramref name="rowIndex"/> (no key column).</summary>
    public DataSplit AssignRow(long rowIndex) => Assign(StableHash.Mix(unchecked((ulong)rowIndex)));
}
