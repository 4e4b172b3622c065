namespace PeftSharp.Saving;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PeftSharp.Lora;

/// <summary>
/// Reads and writes <c>adapter_config.json</c> as the reference does: keys sorted, 2-space indent; on read,
/// <c>peft_type</c> is required, unknown keys are ignored (newer reference versions add keys often) and missing keys
/// take the defaults.
/// </summary>
public static class AdapterConfigJson
{
    /// <summary>The file name of an adapter's configuration.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>The reference format version the files follow, written as <c>peft_version</c>.</summary>
    public const string FormatVersion = "0.19.0";

    /// <summary>The JSON text for <paramref name="config"/> (saved configurations say <c>inference_mode: true</c>).</summary>
    public static string Write(PeftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = config.BaseModelNameOrPath,
            ["exclude_modules"] = null,
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["layers_pattern"] = config.LayersPattern,
            ["layers_to_transform"] = config.LayersToTransform?.Select(i => (object?)i).ToList(),
            ["modules_to_save"] = config.ModulesToSave.Count == 0 ? null : config.ModulesToSave.Select(s => (object?)s).ToList(),
            ["peft_type"] = config.PeftType,
            ["peft_version"] = FormatVersion,
            ["revision"] = config.Revision,
            ["target_modules"] = Targets(config.TargetModules),
            ["task_type"] = config.TaskType,
        };
        switch (config)
        {
            case LoraConfig lora:
                fields["alpha_pattern"] = lora.AlphaPattern.ToDictionary(p => p.Key, p => (object?)new JsonNumber(p.Value));
                fields["bias"] = lora.Bias switch { BiasMode.All => "all", BiasMode.LoraOnly => "lora_only", _ => "none" };
                fields["init_lora_weights"] = lora.InitLoraWeights switch
                {
                    LoraInit.Gaussian => "gaussian",
                    LoraInit.Pissa => "pissa",
                    _ => true,
                };
                fields["layer_replication"] = null;
                fields["loftq_config"] = new Dictionary<string, object?>();
                fields["lora_alpha"] = new JsonNumber(lora.LoraAlpha);
                fields["lora_bias"] = false;
                fields["lora_dropout"] = new JsonNumber(lora.LoraDropout, PythonFloat: true);
                fields["megatron_config"] = null;
                fields["megatron_core"] = "megatron.core";
                fields["r"] = lora.R;
                fields["rank_pattern"] = lora.RankPattern.ToDictionary(p => p.Key, p => (object?)p.Value);
                fields["use_dora"] = lora.UseDora;
                fields["use_rslora"] = lora.UseRsLora;
                break;
            case IA3Config ia3:
                fields["feedforward_modules"] = Targets(ia3.FeedforwardModules);
                fields["init_ia3_weights"] = true;
                break;
        }

        using var stream = new MemoryStream();
        // Relaxed escaping writes "+" and "<" in regexes as they are, as Python's json module does.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteValue(writer, fields);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses an adapter configuration; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="FormatException">The JSON is malformed or a field has the wrong type or range; the message names it.</exception>
    /// <exception cref="NotSupportedException">The <c>peft_type</c> or an option is not supported here.</exception>
    public static PeftConfig Read(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source}: expected a JSON object, got {root.ValueKind}.");
            }

            var reader = new FieldReader(root, source);
            var peftType = reader.String("peft_type") ?? throw new FormatException($"{source}: the required field 'peft_type' is missing.");
            PeftConfig config = peftType switch
            {
                "LORA" => ReadLora(reader),
                "IA3" => new IA3Config { FeedforwardModules = reader.Targets("feedforward_modules") },
                _ => throw new NotSupportedException($"{source}: peft_type '{peftType}' is not supported; PeftSharp loads LORA and IA3 adapters."),
            };
            if (reader.Bool("fan_in_fan_out") == true)
            {
                throw new NotSupportedException($"{source}: fan_in_fan_out = true (GPT-2 style Conv1D weights) is not supported.");
            }

            return config with
            {
                TargetModules = reader.Targets("target_modules"),
                ModulesToSave = reader.StringList("modules_to_save") ?? [],
                LayersToTransform = reader.IntList("layers_to_transform"),
                LayersPattern = reader.StringOrFirst("layers_pattern"),
                BaseModelNameOrPath = reader.String("base_model_name_or_path"),
                Revision = reader.String("revision"),
                TaskType = reader.String("task_type"),
                InferenceMode = reader.Bool("inference_mode") ?? false,
            };
        }
    }

    private static LoraConfig ReadLora(FieldReader reader)
    {
        var config = new LoraConfig
        {
            R = reader.Int("r") ?? LoraDefaults.Rank,
            LoraAlpha = reader.Double("lora_alpha") ?? LoraDefaults.Alpha,
            LoraDropout = reader.Double("lora_dropout") ?? LoraDefaults.Dropout,
            UseRsLora = reader.Bool("use_rslora") ?? false,
            UseDora = reader.Bool("use_dora") ?? false,
            InitLoraWeights = reader.Init("init_lora_weights"),
            Bias = reader.String("bias") switch
            {
                null or "none" => BiasMode.None,
                "all" => BiasMode.All,
                "lora_only" => BiasMode.LoraOnly,
                var other => throw new FormatException($"{reader.Source}: 'bias' must be \"none\", \"all\" or \"lora_only\", got \"{other}\"."),
            },
            RankPattern = reader.NumberMap("rank_pattern").ToDictionary(p => p.Key, p => checked((int)p.Value)),
            AlphaPattern = reader.NumberMap("alpha_pattern"),
        };
        new LoraSettings(config.R, config.LoraAlpha, config.LoraDropout).Validate();
        return config;
    }

    private static object? Targets(TargetModules? targets) =>
        targets is null ? null
        : targets.Names is { } names ? names.Order(StringComparer.Ordinal).Select(n => (object?)n).ToList()
        : targets.ToString();

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case JsonNumber n:
                writer.WriteRawValue(n.Text);
                break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"Cannot write {value.GetType().Name} to adapter_config.json.");
        }
    }

    // A number written as Python's json module would: integral values without a fraction unless the field is a float.
    private sealed record JsonNumber(double Value, bool PythonFloat = false)
    {
        public string Text =>
            double.IsInteger(Value) && !PythonFloat
                ? ((long)Value).ToString(CultureInfo.InvariantCulture)
                : double.IsInteger(Value) ? Value.ToString("F1", CultureInfo.InvariantCulture) : Value.ToString("R", CultureInfo.InvariantCulture);
    }

    private sealed class FieldReader(JsonElement root, string source)
    {
        public string Source => source;

        public string? String(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } e => e.GetString(),
            var e => throw Wrong(name, "a string", e.Value),
        };

        public string? StringOrFirst(string name) => Get(name) switch
        {
            { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : throw Wrong(name, "strings", x)).FirstOrDefault(),
            _ => String(name),
        };

        public bool? Bool(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            var e => throw Wrong(name, "true or false", e.Value),
        };

        public double? Double(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            var e => throw Wrong(name, "a number", e.Value),
        };

        public int? Int(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out var i) => i,
            var e => throw Wrong(name, "an integer", e.Value),
        };

        public List<string>? StringList(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw Wrong(name, "a list of strings", x)).ToList(),
            var e => throw Wrong(name, "a list of strings", e.Value),
        };

        public List<int>? IntList(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out var i) => [i],
            { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.TryGetInt32(out var i) ? i : throw Wrong(name, "a list of integers", x)).ToList(),
            var e => throw Wrong(name, "an integer or a list of integers", e.Value),
        };

        public TargetModules? Targets(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } e => TargetModules.Regex(e.GetString()!),
            { ValueKind: JsonValueKind.Array } => StringList(name) is { Count: > 0 } list ? TargetModules.Of([.. list]) : null,
            var e => throw Wrong(name, "a list of module names or a regex string", e.Value),
        };

        public LoraInit Init(string name) => Get(name) switch
        {
            null => LoraInit.Default,
            { ValueKind: JsonValueKind.True } => LoraInit.Default,

            // false means "leave the random init": irrelevant when loading trained weights, which replace A and B.
            { ValueKind: JsonValueKind.False } => LoraInit.Default,
            { ValueKind: JsonValueKind.String } e => e.GetString() switch
            {
                "gaussian" => LoraInit.Gaussian,
                "pissa" => LoraInit.Pissa,
                var other => throw new NotSupportedException(
                    $"{source}: init_lora_weights \"{other}\" is not supported (it changes the base weights in a way PeftSharp cannot reproduce); supported: true, \"gaussian\", \"pissa\"."),
            },
            var e => throw Wrong(name, "true, false or a string", e.Value),
        };

        public Dictionary<string, double> NumberMap(string name) => Get(name) switch
        {
            null => new Dictionary<string, double>(),
            { ValueKind: JsonValueKind.Object } e => e.EnumerateObject().ToDictionary(
                p => p.Name, p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : throw Wrong($"{name}.{p.Name}", "a number", p.Value)),
            var e => throw Wrong(name, "an object of numbers", e.Value),
        };

        private JsonElement? Get(string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        private FormatException Wrong(string name, string expected, JsonElement actual) =>
            new($"{source}: '{name}' must be {expected}, got {actual.GetRawText()}.");
    }
}
