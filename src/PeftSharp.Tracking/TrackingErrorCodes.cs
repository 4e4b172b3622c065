namespace PeftSharp.Tracking;

/// <summary>MLflow's error codes, as the REST protocol names them, carried by <see cref="TrackingException.ErrorCode"/>.</summary>
public static class TrackingErrorCodes
{
    /// <summary>A request value is invalid (HTTP 400), e.g. changing a parameter's value.</summary>
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";

    /// <summary>The entity already exists (HTTP 400).</summary>
    public const string ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS";

    /// <summary>The run or experiment does not exist (HTTP 404).</summary>
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";

    /// <summary>The store is in a state that does not allow the operation, e.g. logging to a deleted run.</summary>
    public const string InvalidState = "INVALID_STATE";

    /// <summary>A malformed request (HTTP 400).</summary>
    public const string BadRequest = "BAD_REQUEST";

    /// <summary>The server is rate limiting (HTTP 429).</summary>
    public const string RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";

    /// <summary>The server is temporarily unavailable (HTTP 503), or could not be reached at all.</summary>
    public const string TemporarilyUnavailable = "TEMPORARILY_UNAVAILABLE";

    /// <summary>An unexpected failure.</summary>
    public const string InternalError = "INTERNAL_ERROR";
}
