namespace PeftSharp.Tracking.Tests.Fake;

using System;

/// <summary>One injected answer for the next request to an endpoint (matched by the end of its path).</summary>
/// <param name="Endpoint">E.g. <c>runs/log-batch</c>.</param>
/// <param name="Status">The HTTP status to answer with.</param>
/// <param name="RetryAfter">A Retry-After header value, or null.</param>
/// <param name="ApplyThenDrop">Apply the request, then drop the connection without an answer.</param>
/// <param name="NotJson">Answer with an HTML body, as a proxy would.</param>
/// <param name="Code">The error code; null picks one from the status.</param>
/// <param name="Before">Runs (under no lock) before the answer, e.g. to let a competitor create an experiment.</param>
public sealed record FakeFault(
    string Endpoint, int Status = 503, string? RetryAfter = null, bool ApplyThenDrop = false, bool NotJson = false, string? Code = null, Action? Before = null);
