namespace PeftSharp.Data.Import;

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

/// <summary>
/// RFC 4180 CSV: a header line, fields separated by commas, records by CRLF or LF; a field in double quotes may hold
/// commas, line breaks and doubled quotes. An unquoted empty field is missing (null); a quoted empty field is "".
/// </summary>
internal sealed class CsvSource : TableSource
{
    private readonly TextReader reader;
    private readonly string path;
    private readonly List<string> names;
    private readonly StringBuilder field = new();
    private long line = 1;

    public CsvSource(string path)
    {
        this.path = path;
        reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (!TryReadRecord(out var header))
        {
            throw new InvalidDataException($"'{path}' is empty; a CSV file needs a header line with the column names.");
        }

        names = [];
        foreach (var cell in header)
        {
            var name = cell.Text?.Trim() ?? string.Empty;
            if (name.Length == 0)
            {
                throw new InvalidDataException($"'{path}' line 1: column {names.Count + 1} has no name; every header field needs one.");
            }

            if (names.Contains(name))
            {
                throw new InvalidDataException($"'{path}' line 1: column '{name}' appears twice in the header.");
            }

            names.Add(name);
        }
    }

    public override IReadOnlyList<string> Names => names;

    public override bool TryRead(out Cell[] row)
    {
        while (TryReadRecord(out row))
        {
            // A blank line (one unquoted empty field) is skipped, as most CSV writers end files with one.
            if (row.Length == 1 && row[0].Kind == CellKind.Null && names.Count > 1)
            {
                continue;
            }

            if (row.Length != names.Count)
            {
                throw new InvalidDataException(
                    $"'{path}' line {Line}: {row.Length} fields, but the header has {names.Count}. Quote fields that contain commas.");
            }

            return true;
        }

        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reader.Dispose();
        }
    }

    private bool TryReadRecord(out Cell[] record)
    {
        var cells = new List<Cell>();
        Line = line;
        var c = reader.Read();
        if (c < 0)
        {
            record = [];
            return false;
        }

        while (true)
        {
            field.Clear();
            var quoted = false;
            if (c == '"')
            {
                quoted = true;
                while (true)
                {
                    c = reader.Read();
                    if (c < 0)
                    {
                        throw new InvalidDataException($"'{path}' line {Line}: a quoted field is never closed; add the closing double quote.");
                    }

                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                            continue;
                        }

                        c = reader.Read();
                        break;
                    }

                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append((char)c);
                }

                if (c is not (',' or '\n' or '\r' or -1))
                {
                    throw new InvalidDataException(
                        $"'{path}' line {line}: text after a closing quote; inside a quoted field write a quote as two quotes (\"\").");
                }
            }
            else
            {
                while (c is not (',' or '\n' or '\r' or -1))
                {
                    if (c == '"')
                    {
                        throw new InvalidDataException(
                            $"'{path}' line {line}: a double quote inside an unquoted field; quote the whole field and double the quote (RFC 4180).");
                    }

                    field.Append((char)c);
                    c = reader.Read();
                }
            }

            cells.Add(quoted ? new Cell(field.ToString(), CellKind.Text) : field.Length == 0 ? Cell.Null : new Cell(field.ToString(), CellKind.Text));
            if (c == ',')
            {
                c = reader.Read();
                continue;
            }

            if (c == '\r' && reader.Peek() == '\n')
            {
                reader.Read();
            }

            line++;
            record = cells.ToArray();
            return true;
        }
    }
}
