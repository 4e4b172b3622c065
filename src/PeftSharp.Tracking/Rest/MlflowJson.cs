namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

/// <summary>MLflow's JSON conventions: snake_case fields, int64 as numbers, non-finite doubles as strings.</summary>
internal static class MlflowJson
{
    // Non-ASCII text travels as UTF-8, not as \uXXXX escapes (which would triple the size of non-English values and
    // break the request size budget); the result is still valid JSON.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The bytes a string takes inside a JSON string literal written by <see cref="Write"/>.</summary>
    public static int EncodedLength(string value)
    {
        int bytes = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            bytes += rune.Value < 0x20 ? 6 : rune.Value is '"' or '\\' ? 2 : rune.Utf8SequenceLength;
        }

        return bytes;
    }

    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static void WriteDouble(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteString(name, "NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteString(name, "Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteString(name, "-Infinity");
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    public static void WriteMetrics(Utf8JsonWriter writer, IEnumerable<Metric> metrics)
    {
        writer.WriteStartArray("metrics");
        foreach (var metric in metrics)
        {
            writer.WriteStartObject();
            writer.WriteString("key", metric.Key);
            WriteDouble(writer, "value", metric.Value);
            writer.WriteNumber("timestamp", metric.TimestampMs);
            writer.WriteNumber("step", metric.Step);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WritePairs(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        writer.WriteStartArray(name);
        foreach (var (key, value) in pairs)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WriteDatasets(Utf8JsonWriter writer, IEnumerable<DatasetInput> inputs)
    {
        writer.WriteStartArray("datasets");
        foreach (var input in inputs)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("dataset");
            writer.WriteString("name", input.Name);
            writer.WriteString("digest", input.Digest);
            writer.WriteString("source_type", input.SourceType);
            writer.WriteString("source", input.Source);
            if (input.Schema is not null)
            {
                writer.WriteString("schema", input.Schema);
            }

            if (input.Profile is not null)
            {
                writer.WriteString("profile", input.Profile);
            }

            writer.WriteEndObject();
            WritePairs(writer, "tags", [new KeyValuePair<string, string>(DatasetInput.ContextTag, input.Context)]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static double ReadDouble(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" or "nan" => double.NaN,
            "Infinity" or "inf" => double.PositiveInfinity,
            "-Infinity" or "-inf" => double.NegativeInfinity,
            string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
            null => double.NaN,
        },
        _ => throw new InvalidDataException($"Expected a number, found {element.ValueKind}."),
    };

    public static long? ReadInt64(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var element))
        {
            return null;
        }

        return element.ValueKind switch
        {
            JsonValueKind.Number => element.GetInt64(),
            JsonValueKind.String => long.Parse(element.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            JsonValueKind.Null => null,
            _ => throw new InvalidDataException($"Expected an integer in '{name}', found {element.ValueKind}."),
        };
    }

    public static string? ReadString(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()
            : null;

    public static Metric ReadMetric(JsonElement element) => new(
        ReadString(element, "key") ?? string.Empty,
        element.TryGetProperty("value", out var value) ? ReadDouble(value) : 0,
        ReadInt64(element, "timestamp") ?? 0,
        ReadInt64(element, "step") ?? 0);

    public static Dictionary<string, string> ReadPairs(JsonElement parent, string name)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                pairs[ReadString(item, "key") ?? string.Empty] = ReadString(item, "value") ?? string.Empty;
            }
        }

        return pairs;
    }

    public static List<KeyValuePair<string, string>> ReadPairsInOrder(JsonElement parent, string name)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                pairs.Add(new KeyValuePair<string, string>(ReadString(item, "key") ?? string.Empty, ReadString(item, "value") ?? string.Empty));
            }
        }

        return pairs;
    }
}
