namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;

/// <summary>
/// A checkpoint does not fit a module. The message lists every missing key, unexpected key, shape mismatch and dtype
/// mismatch, with the closest checkpoint names for each missing key. The module was not modified.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public CheckpointMismatchException()
        : this("The checkpoint does not match the module.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What does not match.</param>
    public CheckpointMismatchException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What does not match.</param>
    /// <param name="innerException">The underlying error.</param>
    public CheckpointMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
        MissingKeys = [];
        UnexpectedKeys = [];
        DuplicateKeys = [];
        ShapeMismatches = [];
        DTypeMismatches = [];
    }

    internal CheckpointMismatchException(
        string message,
        IReadOnlyList<string> missingKeys,
        IReadOnlyList<string> unexpectedKeys,
        IReadOnlyList<string> duplicateKeys,
        IReadOnlyList<CheckpointTensorMismatch> shapeMismatches,
        IReadOnlyList<CheckpointTensorMismatch> dtypeMismatches)
        : base(message)
    {
        MissingKeys = missingKeys;
        UnexpectedKeys = unexpectedKeys;
        DuplicateKeys = duplicateKeys;
        ShapeMismatches = shapeMismatches;
        DTypeMismatches = dtypeMismatches;
    }

    /// <summary>The module's state-dict keys the checkpoint has no value for.</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    /// <summary>Checkpoint keys (before the name mapping) that map to no key of the module.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; }

    /// <summary>Module keys that two or more checkpoint keys map to.</summary>
    public IReadOnlyList<string> DuplicateKeys { get; }

    /// <summary>Tensors whose shapes differ.</summary>
    public IReadOnlyList<CheckpointTensorMismatch> ShapeMismatches { get; }

    /// <summary>Tensors whose dtypes differ while <see cref="CheckpointLoadOptions.AllowDtypeConversion"/> is false.</summary>
    public IReadOnlyList<CheckpointTensorMismatch> DTypeMismatches { get; }
}
