namespace PeftSharp.Serialization;

using System;
using System.IO;

/// <summary>
/// A safetensors file is malformed, truncated or unsupported. The message names the file and the exact problem;
/// <see cref="Problem"/> says which kind it is. It derives from <see cref="IOException"/> (the sealed
/// <see cref="InvalidDataException"/> cannot be a base), so one <c>catch (IOException)</c> covers unreadable and invalid files.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public SafetensorsFormatException()
        : this("The file is not a valid safetensors file.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What is wrong.</param>
    public SafetensorsFormatException(string message)
        : base(message)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public SafetensorsFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="filePath"/>, with the message "'path' is not a valid safetensors file: detail".</summary>
    /// <param name="filePath">The file that was read.</param>
    /// <param name="problem">The kind of problem.</param>
    /// <param name="detail">The exact problem, as a sentence.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public SafetensorsFormatException(string filePath, SafetensorsProblem problem, string detail, Exception? innerException = null)
        : base($"'{filePath}' is not a valid safetensors file: {detail}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that was read (empty when not given).</summary>
    public string FilePath { get; }

    /// <summary>The kind of problem.</summary>
    public SafetensorsProblem Problem { get; }
}
