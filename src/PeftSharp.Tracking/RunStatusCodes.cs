namespace PeftSharp.Tracking;

using System;
using System.Globalization;

/// <summary>Conversions between <see cref="RunStatus"/> and MLflow's two wire forms (file store integers, REST names).</summary>
public static class RunStatusCodes
{
    /// <summary>The integer MLflow's file store writes in a run's <c>meta.yaml</c> (<c>1</c> RUNNING to <c>5</c> KILLED).</summary>
    /// <param name="status">The status to convert.</param>
    /// <returns>The MLflow status code.</returns>
    public static int ToFileStoreCode(this RunStatus status) => status switch
    {
        RunStatus.Running => 1,
        RunStatus.Scheduled => 2,
        RunStatus.Finished => 3,
        RunStatus.Failed => 4,
        RunStatus.Killed => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    /// <summary>The status for an MLflow file store integer code.</summary>
    /// <param name="code">A code from 1 to 5.</param>
    /// <returns>The matching status.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The code is not one MLflow defines.</exception>
    public static RunStatus FromFileStoreCode(long code) => code switch
    {
        1 => RunStatus.Running,
        2 => RunStatus.Scheduled,
        3 => RunStatus.Finished,
        4 => RunStatus.Failed,
        5 => RunStatus.Killed,
        _ => throw new ArgumentOutOfRangeException(
            nameof(code), code, string.Create(CultureInfo.InvariantCulture, $"MLflow run status codes are 1 to 5, not {code}.")),
    };

    /// <summary>The name the REST protocol uses (<c>RUNNING</c>, <c>SCHEDULED</c>, <c>FINISHED</c>, <c>FAILED</c>, <c>KILLED</c>).</summary>
    /// <param name="status">The status to convert.</param>
    /// <returns>The upper-case MLflow name.</returns>
    public static string ToRestName(this RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Killed => "KILLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    /// <summary>The status for a REST name such as <c>FINISHED</c> (exact, upper case, as the server sends it).</summary>
    /// <param name="name">The MLflow status name.</param>
    /// <returns>The matching status.</returns>
    /// <exception cref="ArgumentException">The name is not one MLflow defines.</exception>
    public static RunStatus FromRestName(string name) => name switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => throw new ArgumentException(
            $"'{name}' is not an MLflow run status (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED).", nameof(name)),
    };
}
