namespace PeftSharp.Data.Sources.RData;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

/// <summary>
/// An R <c>data.frame</c> as typed columns: character and factor columns become <c>string?[]</c> (factor codes mapped
/// to their levels), integer and logical columns <c>int[]</c> (NA = <see cref="RIntegers.NA"/>), doubles <c>double[]</c>.
/// </summary>
public sealed class RDataFrame
{
    private RDataFrame(IReadOnlyList<string> names, IReadOnlyList<Array> columns, int rows)
    {
        Names = names;
        Columns = columns;
        RowCount = rows;
    }

    /// <summary>Column names, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Column values (string?[], int[] or double[]), in the order of <see cref="Names"/>.</summary>
    public IReadOnlyList<Array> Columns { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Converts <paramref name="value"/>, which must be a data frame.</summary>
    /// <exception cref="InvalidDataException">Not a data frame, ragged columns, a column of an unsupported type, or a factor code out of range.</exception>
    public static RDataFrame From(RObject value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value is not RList list || !value.Classes.Contains("data.frame"))
        {
            throw new InvalidDataException($"{what} is a {value.Describe()} of class [{string.Join(", ", value.Classes)}], not a data.frame.");
        }

        var names = list.Tags.Select((n, i) => n ?? $"V{i + 1}").ToList();
        var columns = new List<Array>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            columns.Add(Column(list.Items[i], $"{what}${names[i]}"));
        }

        var rows = columns.Count == 0 ? 0 : columns[0].Length;
        var ragged = columns.Select((c, i) => (c, i)).FirstOrDefault(x => x.c.Length != rows);
        if (ragged.c is not null)
        {
            throw new InvalidDataException($"{what}: column '{names[ragged.i]}' has {ragged.c.Length} rows, '{names[0]}' has {rows}.");
        }

        return new RDataFrame(names, columns, rows);
    }

    /// <summary>The column <paramref name="name"/> as <typeparamref name="T"/>[].</summary>
    /// <exception cref="KeyNotFoundException">No such column, or it has another type; the message says which exist.</exception>
    public T[] Column<T>(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return Columns[i] as T[] ?? throw new KeyNotFoundException(
                    $"Column '{name}' holds {Columns[i].GetType().GetElementType()!.Name} values, not {typeof(T).Name}.");
            }
        }

        throw new KeyNotFoundException($"No column '{name}'. Columns: {string.Join(", ", Names)}.");
    }

    private static Array Column(RObject column, string what)
    {
        switch (column)
        {
            case RIntegers ints when column.Classes.Contains("factor"):
                var levels = column.Attribute("levels") as RStrings
                    ?? throw new InvalidDataException($"{what} is a factor without levels.");
                var values = new string?[ints.Values.Count];
                for (var r = 0; r < values.Length; r++)
                {
                    var code = ints.Values[r];
                    if (code == RIntegers.NA)
                    {
                        continue;
                    }

                    if (code < 1 || code > levels.Values.Count)
                    {
                        throw new InvalidDataException($"{what} row {r + 1} has factor code {code}; there are {levels.Values.Count} levels.");
                    }

                    values[r] = levels.Values[code - 1];
                }

                return values;
            case RIntegers ints:
                return ints.Values.ToArray();
            case RDoubles { IsComplex: false } doubles:
                return doubles.Values.ToArray();
            case RStrings strings:
                return strings.Values.ToArray();
            default:
                throw new InvalidDataException($"{what} is a {column.Describe()}; supported columns are character, factor, integer, logical and double.");
        }
    }
}
