namespace PeftSharp.Tracking;

using System;
using System.Globalization;
using System.Text;

/// <summary>
/// Writes doubles exactly as Python's <c>repr(float)</c> does (what MLflow's file store writes in metric files): the
/// shortest round-trip digits, <c>1.0</c> rather than <c>1</c>, exponents as <c>1e-05</c>/<c>1e+16</c>, and
/// <c>nan</c>/<c>inf</c>/<c>-inf</c>; and reads what Python's <c>float()</c> reads.
/// </summary>
internal static class PythonFloat
{
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // .NET's "R" gives the shortest round-trip digits; only the layout differs from Python's, so re-lay them out.
        string dotnet = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = dotnet.StartsWith('-');
        string unsigned = negative ? dotnet[1..] : dotnet;
        int exponentAt = unsigned.IndexOfAny(['E', 'e']);
        string mantissa = exponentAt < 0 ? unsigned : unsigned[..exponentAt];
        int exponent = exponentAt < 0 ? 0 : int.Parse(unsigned[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);

        // The value is 0.<digits> * 10^decimalPoint.
        int decimalPoint = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..];
        decimalPoint -= leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
            decimalPoint = 1;
        }

        var text = new StringBuilder(32);
        if (negative)
        {
            text.Append('-');
        }

        // CPython's float_repr_style "short": fixed notation when -4 < decimalPoint <= 16, scientific otherwise.
        if (decimalPoint > -4 && decimalPoint <= 16)
        {
            if (decimalPoint <= 0)
            {
                text.Append("0.").Append('0', -decimalPoint).Append(digits);
            }
            else if (decimalPoint >= digits.Length)
            {
                text.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
            }
            else
            {
                text.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
            }
        }
        else
        {
            int scientificExponent = decimalPoint - 1;
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            text.Append('e').Append(scientificExponent < 0 ? '-' : '+')
                .Append(Math.Abs(scientificExponent).ToString("00", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    public static bool TryParse(string text, out double value)
    {
        string trimmed = text.Trim();
        string unsigned = trimmed.TrimStart('+', '-');
        bool negative = trimmed.StartsWith('-');
        if (unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
