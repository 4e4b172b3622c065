namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using PeftSharp.Data.Import;

/// <summary>
/// Command-line handlers of the data commands, for experiments' entry points to dispatch to. <c>import</c>
/// converts CSV, JSON Lines or ARFF to Parquet.
/// </summary>
public static class DataCommands
{
    /// <summary>The commands handled here.</summary>
    public static IReadOnlyList<string> Commands { get; } = ["import"];

    /// <summary>The usage text of <c>import</c>.</summary>
    public const string ImportUsage = """
        Usage: import --input <file.csv|file.jsonl|file.arff> --output <file.parquet> [options]

        Converts a CSV (RFC 4180, header line), JSON Lines or ARFF file to Parquet.
        Column types are inferred from every value (bool, int64, double, else string) unless declared;
        ARFF attributes keep their declared types. Missing values (empty CSV field, JSON null, ARFF ?)
        make a column nullable.

        Options:
          --input <path>          The file to convert (format from the extension).
          --output <path>         The Parquet file to write (written atomically).
          --schema <name:type,..> Declare column types: int64, double, string or bool.
          --format <csv|jsonl|arff>  The input format, when the extension does not say it.
          --row-group-size <n>    Rows per row group (default 65536).
          --help                  Show this help.
        """;

    /// <summary>
    /// Runs <paramref name="command"/> with <paramref name="args"/>; returns 0 on success, 1 when the data is bad,
    /// 2 for a usage error. Messages go to <paramref name="output"/>, errors to <paramref name="error"/>.
    /// </summary>
    public static async Task<int> RunAsync(string command, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!string.Equals(command, "import", StringComparison.Ordinal))
        {
            await error.WriteLineAsync($"Unknown data command '{command}'. Commands: {string.Join(", ", Commands)}.").ConfigureAwait(false);
            return 2;
        }

        string? input = null, target = null, schema = null, format = null;
        var rowGroupSize = new ImportOptions().RowGroupSize;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                await output.WriteLineAsync(ImportUsage).ConfigureAwait(false);
                return 0;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return await UsageAsync(error, $"Option '{name}' needs a value.").ConfigureAwait(false);
            }

            var value = args[++i];
            switch (name)
            {
                case "--input":
                    input = value;
                    break;
                case "--output":
                    target = value;
                    break;
                case "--schema":
                    schema = value;
                    break;
                case "--format":
                    format = value;
                    break;
                case "--row-group-size" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0:
                    rowGroupSize = size;
                    break;
                case "--row-group-size":
                    return await UsageAsync(error, $"--row-group-size must be a positive integer (got '{value}').").ConfigureAwait(false);
                default:
                    return await UsageAsync(error, $"Unknown option '{name}'.").ConfigureAwait(false);
            }
        }

        if (input is null || target is null)
        {
            return await UsageAsync(error, "Both --input and --output are required.").ConfigureAwait(false);
        }

        ImportOptions options;
        try
        {
            options = new ImportOptions
            {
                Schema = schema is null ? null : TypeNames.ParseSchema(schema),
                Format = format?.ToUpperInvariant() switch
                {
                    null => null,
                    "CSV" => ImportFormat.Csv,
                    "JSONL" or "JSONLINES" or "NDJSON" => ImportFormat.JsonLines,
                    "ARFF" => ImportFormat.Arff,
                    _ => throw new FormatException($"Unknown format '{format}'; use csv, jsonl or arff."),
                },
                RowGroupSize = rowGroupSize,
            };
        }
        catch (FormatException e)
        {
            return await UsageAsync(error, e.Message).ConfigureAwait(false);
        }

        try
        {
            var result = await TableImporter.ImportAsync(input, target, options).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {result.Rows} rows in {result.RowGroups} row group(s) to {target}: {string.Join(", ", result.Columns)}")).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"import failed: {e.Message}").ConfigureAwait(false);
            return e is ArgumentException ? 2 : 1;
        }
    }

    private static async Task<int> UsageAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync(message).ConfigureAwait(false);
        await error.WriteLineAsync("Run 'import --help' for the options.").ConfigureAwait(false);
        return 2;
    }
}
