namespace PeftSharp.Training.Runner;

using System;
using System.IO;
using System.Text.Json;

/// <summary>
/// <c>run.json</c> in a run's checkpoint folder: which tracked run wrote the checkpoints, so <c>resume &lt;checkpoint&gt;</c>
/// can read the run's options from its record instead of asking for them again. It holds ids only: never the tracking
/// URI, which may carry credentials.
/// </summary>
public static class CheckpointRunFile
{
    /// <summary>The file name, next to <c>config.json</c> and the <c>step-*</c> folders.</summary>
    public const string FileName = "run.json";

    // A checkpoint is a step-* folder in the run's checkpoint folder; the file is in the checkpoint or its parent.
    private const int FoldersUp = 1;

    /// <summary>Writes the file for <paramref name="runId"/> into <paramref name="checkpointDirectory"/>.</summary>
    public static void Write(string checkpointDirectory, string runId, string experimentId)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        File.WriteAllText(
            Path.Combine(checkpointDirectory, FileName),
            JsonSerializer.Serialize(new RunFile(runId, experimentId)));
    }

    /// <summary>The id of the run that wrote <paramref name="checkpoint"/>.</summary>
    /// <exception cref="InvalidOperationException">No valid run file next to the checkpoint.</exception>
    public static string FindRunId(string checkpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpoint);
        if (!Directory.Exists(checkpoint))
        {
            throw new InvalidOperationException($"Checkpoint folder '{checkpoint}' does not exist.");
        }

        var folder = new DirectoryInfo(Path.GetFullPath(checkpoint));
        for (var up = 0; up <= FoldersUp && folder is not null; up++, folder = folder.Parent)
        {
            var path = Path.Combine(folder.FullName, FileName);
            if (!File.Exists(path))
            {
                continue;
            }

            RunFile? file;
            try
            {
                file = JsonSerializer.Deserialize<RunFile>(File.ReadAllText(path));
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"'{path}' is not a valid run file ({e.Message}).", e);
            }

            if (file is null || string.IsNullOrWhiteSpace(file.run_id) || file.run_id.IndexOfAny(['/', '\\', '.']) >= 0)
            {
                throw new InvalidOperationException($"'{path}' names no valid run id.");
            }

            return file.run_id;
        }

        throw new InvalidOperationException($"No {FileName} in '{checkpoint}' or its parent folder: it was not written by this runner, or by a version before it recorded runs.");
    }

#pragma warning disable IDE1006, SA1300, CA1707 // JSON property names
    private sealed record RunFile(string run_id, string experiment_id);
#pragma warning restore IDE1006, SA1300, CA1707
}
