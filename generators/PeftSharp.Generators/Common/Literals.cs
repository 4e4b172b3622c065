namespace PeftSharp.Generators.Common;

using System.Globalization;
using System.Text;

/// <summary>C# literals for generated code, independent of the build machine's culture.</summary>
internal static class Literals
{
    /// <summary>Formats a double so the generated literal reads back as the same value, whatever the culture.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A <c>double</c> literal, or a <c>double.NaN</c>-style expression for non-finite values.</summary>
    public static string Double(double value) =>
        double.IsNaN(value) ? "double.NaN"
        : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
        : Format(value) + "d";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Names from user attributes may hold any character; escape them as a C# string literal.</summary>
    public static string String(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
