namespace PeftSharp.Tracking;

using System;

/// <summary>A tracking operation that MLflow would reject, with MLflow's error code (see <see cref="TrackingErrorCodes"/>).</summary>
public sealed class TrackingException : Exception
{
    /// <summary>Creates an exception with the code <see cref="TrackingErrorCodes.InternalError"/>.</summary>
    public TrackingException()
        : this(TrackingErrorCodes.InternalError, "The tracking operation failed.")
    {
    }

    /// <summary>Creates an exception with the code <see cref="TrackingErrorCodes.InternalError"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public TrackingException(string message)
        : this(TrackingErrorCodes.InternalError, message)
    {
    }

    /// <summary>Creates an exception with the code <see cref="TrackingErrorCodes.InternalError"/> and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TrackingException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = TrackingErrorCodes.InternalError;
    }

    /// <summary>Creates an exception with an MLflow error code.</summary>
    /// <param name="errorCode">The MLflow error code, e.g. <see cref="TrackingErrorCodes.InvalidParameterValue"/>.</param>
    /// <param name="message">What went wrong.</param>
    public TrackingException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The MLflow error code, e.g. <c>INVALID_PARAMETER_VALUE</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status a tracking server answered with; null for the file store and for network failures.</summary>
    public int? HttpStatusCode { get; init; }

    /// <summary>Whether trying again later may succeed (server unreachable, 408, 429, 5xx); false for rejections such as 400.</summary>
    public bool IsTransient { get; init; }

    /// <summary>
    /// Whether the server may have applied the request although it failed (a timeout or a dropped connection after
    /// the request was sent, a 500/502/504). A metric batch with an unknown outcome must be reconciled, not resent.
    /// </summary>
    public bool OutcomeUnknown { get; init; }
}
