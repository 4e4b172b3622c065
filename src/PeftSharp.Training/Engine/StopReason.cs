namespace PeftSharp.Training.Engine;

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>Every epoch ran.</summary>
    Completed,

    /// <summary>The monitored metric stopped improving.</summary>
    EarlyStopped,

    /// <summary>The run was interrupted (Ctrl-C or SIGTERM); a checkpoint was saved when a folder was set.</summary>
    Cancelled,
}
