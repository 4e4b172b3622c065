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
}
