namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

/// <summary>
/// Writes and reads the flat, block-style YAML mappings of MLflow's <c>meta.yaml</c> files. Writing mirrors PyYAML's
/// <c>safe_dump</c>: keys sorted, strings plain when PyYAML would read them back as the same string, single-quoted
/// otherwise. Reading accepts plain, single-quoted, double-quoted, folded multi-line and block scalars; nested
/// collections are kept as opaque text since MLflow's run and experiment files hold none we need.
/// </summary>
internal static partial class FlatYaml
{
    /// <summary>The YAML null, as PyYAML writes it.</summary>
    public const string Null = "null";

    /// <summary>An empty flow sequence (MLflow's legacy <c>tags: []</c>).</summary>
    public const string EmptyList = "[]";

    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        // YAML 1.1 booleans and nulls: a plain scalar spelled like these would read back as a bool or null.
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
    };

    /// <summary>Renders an integer scalar.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Renders a string, plain when that reads back unchanged, quoted otherwise.</summary>
    public static string String(string value) => CanBePlain(value) ? value : Quoted(value);

    /// <summary>Renders a string always quoted, e.g. an experiment id that must stay a string even when all digits.</summary>
    public static string Quoted(string value)
    {
        // Single quotes cannot carry line breaks or control characters faithfully; double quotes with escapes can.
        if (value.Any(IsLineBreakOrControl))
        {
            return DoubleQuoted(value);
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Renders a parsed value back, so a rewrite keeps the fields it does not change as they were.</summary>
    public static string RenderScalar(FlatYamlScalar scalar) => scalar.Style switch
    {
        FlatYamlStyle.Quoted => Quoted(scalar.Text),
        _ => scalar.Text,
    };

    /// <summary>Renders a mapping with keys in ordinal order, one <c>key: value</c> line each.</summary>
    public static string Render(IReadOnlyDictionary<string, string> renderedValues)
    {
        var text = new StringBuilder();
        foreach (var entry in renderedValues.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(entry.Key).Append(':').Append(entry.Value.StartsWith('\n') ? string.Empty : " ").Append(entry.Value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses a flat mapping; <paramref name="path"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">The text is not a flat YAML mapping.</exception>
    public static FlatYamlDocument Parse(string text, string path)
    {
        var entries = new Dictionary<string, FlatYamlScalar>(StringComparer.Ordinal);
        string? key = null;
        string value = string.Empty;
        int keyLine = 0;
        var continuation = new List<string>();

        void Finish()
        {
            if (key is not null)
            {
                entries[key] = Decode(value, continuation, path, keyLine);
            }

            key = null;
            continuation.Clear();
        }

        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            bool indented = line.Length > 0 && (line[0] is ' ' or '\t' || line[0] == '-' && (line.Length == 1 || line[1] == ' '));
            if (indented || line.Trim().Length == 0)
            {
                // Continuation of the previous value (a folded scalar or a nested collection); blank lines matter
                // only inside a value.
                if (key is not null)
                {
                    continuation.Add(line);
                }
                else if (line.Trim().Length != 0)
                {
                    throw Corrupt(path, i + 1, "an indented line before any key");
                }

                continue;
            }

            if (line[0] == '#' || line == "---" || line == "...")
            {
                continue;
            }

            Finish();
            int colon = FindMappingColon(line);
            if (colon <= 0)
            {
                throw Corrupt(path, i + 1, "expected 'key: value'");
            }

            key = line[..colon].Trim();
            if (entries.ContainsKey(key))
            {
                throw Corrupt(path, i + 1, $"the key '{key}' appears twice");
            }

            value = line[(colon + 1)..].Trim();
            keyLine = i + 1;
        }

        Finish();
        return new FlatYamlDocument(path, entries);
    }

    private static bool CanBePlain(string value)
    {
        if (value.Length == 0 || ReservedWords.Contains(value) || value[0] is ' ' || value[^1] is ' ' or ':')
        {
            return false;
        }

        // Indicators that start a non-plain scalar, or '-', '.', '+' that could start a number or a sequence entry.
        if (!char.IsAsciiLetterOrDigit(value[0]) && value[0] is not ('_' or '/'))
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '/' or '-' or ':' or ' ' or '+' or '@' or '%'))
            {
                return false;
            }
        }

        if (value.Contains(": ", StringComparison.Ordinal) || value.Contains("  ", StringComparison.Ordinal))
        {
            return false;
        }

        // Anything PyYAML's resolver would read as a number or a timestamp must be quoted to stay a string.
        return !YamlNumberOrTimestamp().IsMatch(value);
    }

    [GeneratedRegex(
        @"^(?:[-+]?(?:0b[0-1_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)" +
        @"|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)" +
        @"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex YamlNumberOrTimestamp();

    private static string DoubleQuoted(string value)
    {
        var text = new StringBuilder("\"", value.Length + 8);
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                case '\t': text.Append(@"\t"); break;
                case '\0': text.Append(@"\0"); break;
                default:
                    if (IsLineBreakOrControl(c))
                    {
                        text.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    private static bool IsLineBreakOrControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static int FindMappingColon(string line)
    {
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == ':' && (i + 1 == line.Length || line[i + 1] is ' ' or '\t'))
            {
                return i;
            }
        }

        return -1;
    }

    private static FlatYamlScalar Decode(string first, List<string> continuation, string path, int line)
    {
        if (first is "|" or "|-" or "|+" or ">" or ">-" or ">+")
        {
            return new FlatYamlScalar(DecodeBlock(first, continuation), FlatYamlStyle.Quoted);
        }

        if (first.Length > 0 && first[0] is '[' or '{')
        {
            return new FlatYamlScalar(first, FlatYamlStyle.Collection);
        }

        if (first.Length == 0 && continuation.Any(l => l.Trim().Length != 0))
        {
            // A nested block collection (e.g. "tags:" followed by "- a"): nothing we read, kept as text.
            // The leading line break keeps it a block when the mapping is written back (see RenderScalar).
            return new FlatYamlScalar("\n" + string.Join("\n", continuation), FlatYamlStyle.Collection);
        }

        string joined = Fold(first, continuation);
        if (joined.StartsWith('\''))
        {
            return new FlatYamlScalar(DecodeSingleQuoted(joined, path, line), FlatYamlStyle.Quoted);
        }

        if (joined.StartsWith('"'))
        {
            return new FlatYamlScalar(DecodeDoubleQuoted(joined, path, line), FlatYamlStyle.Quoted);
        }

        int comment = joined.IndexOf(" #", StringComparison.Ordinal);
        return new FlatYamlScalar((comment < 0 ? joined : joined[..comment]).Trim(), FlatYamlStyle.Plain);
    }

    private static string Fold(string first, List<string> continuation)
    {
        // YAML line folding for flow scalars: a line break becomes a space, each blank line a '\n'.
        var text = new StringBuilder(first);
        bool afterBlank = false;
        foreach (string raw in continuation)
        {
            string part = raw.Trim();
            if (part.Length == 0)
            {
                text.Append('\n');
                afterBlank = true;
                continue;
            }

            if (!afterBlank && text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(part);
            afterBlank = false;
        }

        return text.ToString();
    }

    private static string DecodeBlock(string header, List<string> continuation)
    {
        var lines = continuation.ToList();
        int indent = lines.Where(l => l.Trim().Length != 0).Select(l => l.Length - l.TrimStart(' ').Length).DefaultIfEmpty(0).Min();
        var body = lines.Select(l => l.Length >= indent ? l[indent..] : string.Empty).ToList();
        while (body.Count > 0 && body[^1].Length == 0)
        {
            body.RemoveAt(body.Count - 1);
        }

        string text = header[0] == '|' ? string.Join("\n", body) : Fold(string.Empty, body).TrimStart(' ');
        return header.EndsWith('-') || body.Count == 0 ? text : text + "\n";
    }

    private static string DecodeSingleQuoted(string text, string path, int line)
    {
        var value = new StringBuilder(text.Length);
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] != '\'')
            {
                value.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == '\'')
            {
                value.Append('\'');
                i++;
            }
            else
            {
                EnsureOnlyTrailingComment(text[(i + 1)..], path, line);
                return value.ToString();
            }
        }

        throw Corrupt(path, line, "a single-quoted string is not closed");
    }

    private static string DecodeDoubleQuoted(string text, string path, int line)
    {
        var value = new StringBuilder(text.Length);
        for (int i = 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"')
            {
                EnsureOnlyTrailingComment(text[(i + 1)..], path, line);
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (++i >= text.Length)
            {
                break;
            }

            char escape = text[i];
            switch (escape)
            {
                case '0': value.Append('\0'); break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 't': case '\t': value.Append('\t'); break;
                case 'n': value.Append('\n'); break;
                case 'v': value.Append('\v'); break;
                case 'f': value.Append('\f'); break;
                case 'r': value.Append('\r'); break;
                case 'e': value.Append('\u001B'); break;
                case ' ': value.Append(' '); break;
                case '"': value.Append('"'); break;
                case '/': value.Append('/'); break;
                case '\\': value.Append('\\'); break;
                case 'N': value.Append('\u0085'); break;
                case '_': value.Append('\u00A0'); break;
                case 'L': value.Append('\u2028'); break;
                case 'P': value.Append('\u2029'); break;
                case 'x': value.Append(HexChar(text, ref i, 2, path, line)); break;
                case 'u': value.Append(HexChar(text, ref i, 4, path, line)); break;
                case 'U': value.Append(HexChar(text, ref i, 8, path, line)); break;
                default: throw Corrupt(path, line, $"unknown escape '\\{escape}' in a double-quoted string");
            }
        }

        throw Corrupt(path, line, "a double-quoted string is not closed");
    }

    private static string HexChar(string text, ref int i, int digits, string path, int line)
    {
        if (i + digits >= text.Length
            || !int.TryParse(text.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
            || !Rune.IsValid(code))
        {
            throw Corrupt(path, line, "a bad hexadecimal escape in a double-quoted string");
        }

        i += digits;
        return char.ConvertFromUtf32(code);
    }

    private static void EnsureOnlyTrailingComment(string rest, string path, int line)
    {
        string trimmed = rest.Trim();
        if (trimmed.Length != 0 && !trimmed.StartsWith('#'))
        {
            throw Corrupt(path, line, $"unexpected text '{trimmed}' after a quoted string");
        }
    }

    private static InvalidDataException Corrupt(string path, int line, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Corrupt MLflow metadata file '{path}', line {line}: {problem}."));
}
