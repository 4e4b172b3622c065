namespace PeftSharp.Data.Import;

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

/// <summary>
/// JSON Lines: one JSON object per line with scalar values (string, number, true/false, null). Columns are the keys
/// in order of first appearance; a key absent from a row is a missing value. Blank lines are skipped.
/// </summary>
internal sealed class JsonLinesSource : TableSource
{
    private readonly StreamReader reader;
    private readonly string path;
    private readonly List<string> names = [];
    private readonly Dictionary<string, int> indices = new(StringComparer.Ordinal);
    private long line;

    public JsonLinesSource(string path, IReadOnlyList<string>? knownNames)
    {
        this.path = path;
        reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (var name in knownNames ?? [])
        {
            indices.Add(name, names.Count);
            names.Add(name);
        }
    }

    public override IReadOnlyList<string> Names => names;

    public override bool TryRead(out Cell[] row)
    {
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            Line = line;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}' line {line}: not valid JSON ({e.Message}).", e);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"'{path}' line {line}: a JSON Lines row must be an object ({{\"column\": value, ...}}).");
                }

                var cells = new Dictionary<int, Cell>();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!indices.TryGetValue(property.Name, out var index))
                    {
                        index = names.Count;
                        indices.Add(property.Name, index);
                        names.Add(property.Name);
                    }

                    if (!cells.TryAdd(index, ToCell(property)))
                    {
                        throw new InvalidDataException($"'{path}' line {line}: key '{property.Name}' appears twice.");
                    }
                }

                row = new Cell[names.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = cells.TryGetValue(i, out var cell) ? cell : Cell.Null;
                }

                return true;
            }
        }

        row = [];
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reader.Dispose();
        }
    }

    private Cell ToCell(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.Null => Cell.Null,
        JsonValueKind.String => new Cell(property.Value.GetString(), CellKind.String),
        JsonValueKind.Number => new Cell(property.Value.GetRawText(), CellKind.Number),
        JsonValueKind.True => new Cell("true", CellKind.Bool),
        JsonValueKind.False => new Cell("false", CellKind.Bool),
        _ => throw new InvalidDataException(
            $"'{path}' line {line}: '{property.Name}' is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}; only scalar values (string, number, bool, null) become columns."),
    };
}
