namespace PeftSharp.Tracking;

using System;
using System.Globalization;

/// <summary>MLflow's rules for keys and values, checked before anything is logged so that a bad batch logs nothing.</summary>
public static class TrackingValidation
{
    /// <summary>The longest metric, parameter or tag key MLflow accepts.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>The longest parameter value MLflow accepts, in characters.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>The longest tag value MLflow accepts, in characters.</summary>
    public const int MaxTagValueLength = 8000;

    /// <summary>
    /// Checks a metric, parameter or tag key: 1 to <see cref="MaxKeyLength"/> characters from <c>[A-Za-z0-9_ .-/:]</c>,
    /// and unchanged by path normalisation (no leading <c>/</c>, no empty, <c>.</c> or <c>..</c> segment, so no
    /// <c>//</c> and no trailing <c>/</c>), because the file store turns keys into file paths.
    /// </summary>
    /// <param name="key">The key to check.</param>
    /// <param name="kind">What the key names, for the message: <c>metric</c>, <c>param</c> or <c>tag</c>.</param>
    /// <exception cref="ArgumentException">The key breaks a rule; the message names the key and the rule.</exception>
    public static void ValidateKey(string key, string kind)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"Invalid {kind} key: a key must not be empty.", nameof(key));
        }

        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Invalid {kind} key '{key}': a key may have at most {MaxKeyLength} characters, this one has {key.Length}."),
                nameof(key));
        }

        foreach (char c in key)
        {
            if (!IsAllowedKeyChar(c))
            {
                throw new ArgumentException(
                    $"Invalid {kind} key '{key}': the character '{c}' is not allowed; keys may only contain letters, digits, " +
                    "underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).",
                    nameof(key));
            }
        }

        // MLflow rejects keys that posixpath.normpath would change: they would alias another file in the store.
        if (key[0] == '/')
        {
            throw new ArgumentException($"Invalid {kind} key '{key}': a key must not start with '/'.", nameof(key));
        }

        foreach (string segment in key.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw new ArgumentException(
                    $"Invalid {kind} key '{key}': a key must not contain '//' or end with '/'.", nameof(key));
            }

            if (segment is "." or "..")
            {
                throw new ArgumentException(
                    $"Invalid {kind} key '{key}': a key must not contain a '{segment}' path segment.", nameof(key));
            }
        }
    }

    /// <summary>Checks a parameter value: not null, at most <see cref="MaxParamValueLength"/> characters.</summary>
    /// <param name="key">The parameter key, for the message.</param>
    /// <param name="value">The value to check.</param>
    /// <exception cref="ArgumentException">The value is null or too long.</exception>
    public static void ValidateParamValue(string key, string value) => ValidateValue("param", key, value, MaxParamValueLength);

    /// <summary>Checks a tag value: not null, at most <see cref="MaxTagValueLength"/> characters.</summary>
    /// <param name="key">The tag key, for the message.</param>
    /// <param name="value">The value to check.</param>
    /// <exception cref="ArgumentException">The value is null or too long.</exception>
    public static void ValidateTagValue(string key, string value) => ValidateValue("tag", key, value, MaxTagValueLength);

    private static bool IsAllowedKeyChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' or '/' or ':';

    private static void ValidateValue(string kind, string key, string value, int maxLength)
    {
        if (value is null)
        {
            throw new ArgumentException($"Invalid {kind} '{key}': the value must not be null.", nameof(value));
        }

        // MLflow counts Unicode code points (Python string length), not UTF-16 units.
        if (value.Length > maxLength && CountCodePoints(value) > maxLength)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Invalid {kind} '{key}': the value may have at most {maxLength} characters, this one has {CountCodePoints(value)}."),
                nameof(value));
        }
    }

    private static int CountCodePoints(string value)
    {
        int count = 0;
        foreach (var unused in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
