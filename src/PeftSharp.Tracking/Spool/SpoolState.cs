namespace PeftSharp.Tracking;

using System.Text.Json.Serialization;

/// <summary>A spool's delivery state (<c>state.json</c>). It never holds credentials: the server URI is stored without them.</summary>
internal sealed class SpoolState
{
    [JsonPropertyName("version")]
    public int Version { get; set; } = 1;

    /// <summary>The server the run belongs to, without user information.</summary>
    [JsonPropertyName("server_uri")]
    public string ServerUri { get; set; } = string.Empty;

    [JsonPropertyName("experiment_id")]
    public string? ExperimentId { get; set; }

    /// <summary>The server's run id once the run exists there.</summary>
    [JsonPropertyName("run_id")]
    public string? RunId { get; set; }

    /// <summary>Every record up to this number is on the server.</summary>
    [JsonPropertyName("acked_seq")]
    public long AckedSeq { get; set; }

    /// <summary>The highest record number ever sent: records up to it may be on the server although not acknowledged.</summary>
    [JsonPropertyName("attempted_seq")]
    public long AttemptedSeq { get; set; }

    /// <summary>Whether a run creation was sent without an answer (look the run up by its spool tag before creating another).</summary>
    [JsonPropertyName("create_attempted")]
    public bool CreateAttempted { get; set; }

    public SpoolState Clone() => (SpoolState)MemberwiseClone();
}
