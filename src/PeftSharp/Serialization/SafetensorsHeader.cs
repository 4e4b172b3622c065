namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

/// <summary>
/// Parses and validates a safetensors JSON header. <see cref="Utf8JsonReader"/> is used instead of a DOM because a DOM
/// silently keeps the last of two duplicate keys, and a duplicate tensor name must be an error.
/// </summary>
internal sealed class SafetensorsHeader
{
    private const string MetadataKey = "__metadata__";
    private const int MaxNameInMessage = 120;

    private SafetensorsHeader(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafetensorsTensorInfo> tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
    }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>Validates <paramref name="header"/> against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafetensorsHeader Parse(string path, ReadOnlySpan<byte> header, long dataLength)
    {
        if (!Utf8.IsValid(header))
        {
            throw new SafetensorsFormatException(path, SafetensorsProblem.HeaderNotUtf8, "the header is not valid UTF-8 text.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafetensorsTensorInfo>();
        try
        {
            var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                throw new SafetensorsFormatException(path, SafetensorsProblem.HeaderNotJson, "the header is empty or only whitespace; it must be a JSON object.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new SafetensorsFormatException(
                    path, SafetensorsProblem.HeaderNotObject, $"the header must be a JSON object, but it is a JSON {Describe(reader.TokenType)}.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var sawMetadata = false;
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                if (name == MetadataKey)
                {
                    if (sawMetadata)
                    {
                        throw new SafetensorsFormatException(path, SafetensorsProblem.DuplicateName, "the header has two \"__metadata__\" entries.");
                    }

                    sawMetadata = true;
                    ReadMetadata(path, ref reader, metadata);
                    continue;
                }

                if (!seen.Add(name))
                {
                    throw new SafetensorsFormatException(
                        path, SafetensorsProblem.DuplicateName, $"the tensor name {Quote(name)} appears more than once in the header.");
                }

                tensors.Add(ReadEntry(path, ref reader, name));
            }

            // Anything after the object other than whitespace (the reference pads with spaces) makes the reader throw.
            if (reader.Read())
            {
                throw new SafetensorsFormatException(path, SafetensorsProblem.HeaderNotJson, "the header has content after its JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(
                path, SafetensorsProblem.HeaderNotJson, $"the header is not valid JSON ({e.Message.TrimEnd('.')}).", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString throws this for escapes that decode to invalid UTF-16, such as a lone surrogate "\ud800".
            throw new SafetensorsFormatException(
                path, SafetensorsProblem.HeaderNotJson, $"the header is not valid JSON text: a string escapes an invalid UTF-16 sequence ({e.Message.TrimEnd('.')}).", e);
        }

        ValidateRanges(path, tensors, dataLength);
        return new SafetensorsHeader(metadata, tensors);
    }

    /// <summary>A tensor name for an error message, quoted and shortened so a hostile name cannot flood a log.</summary>
    internal static string Quote(string name) =>
        name.Length <= MaxNameInMessage ? $"'{name}'" : $"'{name[..MaxNameInMessage]}...' ({name.Length.ToString(CultureInfo.InvariantCulture)} characters)";

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // Read() throws JsonException on malformed input; an unexpected end of the buffer is malformed too.
        if (!reader.Read())
        {
            throw new JsonException("the JSON ends early");
        }

        return reader.TokenType;
    }

    private static void ReadMetadata(string path, ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw new SafetensorsFormatException(
                path, SafetensorsProblem.InvalidMetadata, $"\"__metadata__\" must be an object of string values, but it is a JSON {Describe(reader.TokenType)}.");
        }

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            if (Next(ref reader) != JsonTokenType.String)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.InvalidMetadata,
                    $"\"__metadata__\" must map strings to strings, but the value of {Quote(key)} is a JSON {Describe(reader.TokenType)}.");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new SafetensorsFormatException(
                    path, SafetensorsProblem.DuplicateName, $"the metadata key {Quote(key)} appears more than once in \"__metadata__\".");
            }
        }
    }

    private static SafetensorsTensorInfo ReadEntry(string path, ref Utf8JsonReader reader, string name)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw new SafetensorsFormatException(
                path,
                SafetensorsProblem.InvalidEntry,
                $"the entry of tensor {Quote(name)} must be an object with dtype, shape and data_offsets, but it is a JSON {Describe(reader.TokenType)}.");
        }

        string? dtype = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var field = reader.GetString()!;
            if (!fields.Add(field))
            {
                throw new SafetensorsFormatException(
                    path, SafetensorsProblem.DuplicateName, $"the entry of tensor {Quote(name)} has the field {Quote(field)} twice.");
            }

            switch (field)
            {
                case "dtype":
                    if (Next(ref reader) != JsonTokenType.String)
                    {
                        throw WrongType(path, name, field, "a string such as \"F32\"", reader.TokenType);
                    }

                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    shape = ReadIntegers(path, ref reader, name, field, SafetensorsProblem.InvalidShape);
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(path, ref reader, name, field, SafetensorsProblem.InvalidOffsets);
                    break;
                default:
                    // Unknown fields are ignored, as the reference does; Skip validates them as JSON.
                    Next(ref reader);
                    reader.Skip();
                    break;
            }
        }

        var missing = new[] { ("dtype", dtype is null), ("shape", shape is null), ("data_offsets", offsets is null) }
            .Where(f => f.Item2).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
        {
            throw new SafetensorsFormatException(
                path, SafetensorsProblem.InvalidEntry, $"the entry of tensor {Quote(name)} lacks {string.Join(" and ", missing)}.");
        }

        if (!SafetensorsDTypes.IsSupported(dtype!))
        {
            var (problem, detail) = SafetensorsDTypes.IsKnownUnsupported(dtype!)
                ? (SafetensorsProblem.UnsupportedDType, $"tensor {Quote(name)} has dtype {Quote(dtype!)}, which TorchSharp cannot hold")
                : (SafetensorsProblem.UnknownDType, $"tensor {Quote(name)} has the unknown dtype {Quote(dtype!)}");
            throw new SafetensorsFormatException(
                path, problem, $"{detail}; supported dtypes are {string.Join(", ", SafetensorsDTypes.Names)}.");
        }

        var dims = shape!.ToArray();
        long elements = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new SafetensorsFormatException(
                    path, SafetensorsProblem.InvalidShape, $"tensor {Quote(name)} has a negative dimension in its shape {SafetensorsTensorInfo.FormatShape(dims)}.");
            }
        }

        var elementSize = SafetensorsDTypes.ElementSize(dtype!);
        long bytes;
        try
        {
            foreach (var dim in dims)
            {
                elements = checked(elements * dim);
            }

            bytes = checked(elements * elementSize);
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(
                path,
                SafetensorsProblem.InvalidShape,
                $"tensor {Quote(name)} has the shape {SafetensorsTensorInfo.FormatShape(dims)}, whose size in bytes overflows a 64-bit integer.");
        }

        if (offsets!.Count != 2 || offsets[0] > offsets[1])
        {
            throw new SafetensorsFormatException(
                path,
                SafetensorsProblem.InvalidOffsets,
                $"tensor {Quote(name)} has data_offsets {SafetensorsTensorInfo.FormatShape(offsets.ToArray())}; they must be [begin, end] with 0 <= begin <= end.");
        }

        var (begin, end) = (offsets[0], offsets[1]);
        if (end - begin != bytes)
        {
            throw new SafetensorsFormatException(
                path,
                SafetensorsProblem.SizeMismatch,
                $"tensor {Quote(name)} ({dtype}, shape {SafetensorsTensorInfo.FormatShape(dims)}) needs {bytes.ToString(CultureInfo.InvariantCulture)} bytes, but its data_offsets [{begin.ToString(CultureInfo.InvariantCulture)}, {end.ToString(CultureInfo.InvariantCulture)}] span {(end - begin).ToString(CultureInfo.InvariantCulture)}.");
        }

        return new SafetensorsTensorInfo(name, dtype!, dims, begin, end);
    }

    private static List<long> ReadIntegers(string path, ref Utf8JsonReader reader, string name, string field, SafetensorsProblem problem)
    {
        var expectation = field == "shape" ? "an array of non-negative integers" : "an array of two non-negative integers [begin, end]";
        if (Next(ref reader) != JsonTokenType.StartArray)
        {
            throw WrongType(path, name, field, expectation, reader.TokenType);
        }

        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw WrongType(path, name, field, expectation, reader.TokenType, " element");
            }

            if (!reader.TryGetInt64(out var value))
            {
                var text = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray());
                throw new SafetensorsFormatException(
                    path, problem, $"tensor {Quote(name)} has {Quote(text)} in {field}, which is not an integer that fits in 64 bits.");
            }

            if (value < 0)
            {
                var detail = field == "shape"
                    ? $"tensor {Quote(name)} has a negative dimension ({value.ToString(CultureInfo.InvariantCulture)}) in its shape."
                    : $"tensor {Quote(name)} has a negative offset ({value.ToString(CultureInfo.InvariantCulture)}) in data_offsets.";
                throw new SafetensorsFormatException(path, problem, detail);
            }

            // A shape longer than this is absurd and would only serve to allocate; torch's own limit is far lower.
            if (values.Count >= 64)
            {
                throw new SafetensorsFormatException(path, problem, $"tensor {Quote(name)} has more than 64 values in {field}.");
            }

            values.Add(value);
        }

        return values;
    }

    private static void ValidateRanges(string path, List<SafetensorsTensorInfo> tensors, long dataLength)
    {
        foreach (var tensor in tensors)
        {
            if (tensor.End > dataLength)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.DataOutOfRange,
                    $"tensor {Quote(tensor.Name)} ends at byte {tensor.End.ToString(CultureInfo.InvariantCulture)} of the data section, but the data section has only {dataLength.ToString(CultureInfo.InvariantCulture)} bytes (is the file truncated?).");
            }
        }

        // Empty tensors occupy no bytes and cannot overlap anything.
        var ordered = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            var (previous, current) = (ordered[i - 1], ordered[i]);
            if (current.Begin < previous.End)
            {
                throw new SafetensorsFormatException(
                    path,
                    SafetensorsProblem.OverlappingTensors,
                    $"tensors {Quote(previous.Name)} [{previous.Begin.ToString(CultureInfo.InvariantCulture)}, {previous.End.ToString(CultureInfo.InvariantCulture)}) and {Quote(current.Name)} [{current.Begin.ToString(CultureInfo.InvariantCulture)}, {current.End.ToString(CultureInfo.InvariantCulture)}) overlap.");
            }
        }
    }

    private static SafetensorsFormatException WrongType(
        string path, string name, string field, string expectation, JsonTokenType actual, string suffix = "")
        => new(
            path,
            SafetensorsProblem.InvalidEntry,
            $"tensor {Quote(name)}: {field} must be {expectation}, but its{suffix} value is a JSON {Describe(actual)}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
