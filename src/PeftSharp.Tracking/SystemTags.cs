namespace PeftSharp.Tracking;

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text.RegularExpressions;

/// <summary>
/// The system tags MLflow's fluent client sets on a new run: <c>mlflow.user</c>, <c>mlflow.source.name</c>,
/// <c>mlflow.source.type</c> and, inside a git work tree, <c>mlflow.source.git.commit</c>, <c>.branch</c>,
/// <c>.repoURL</c>, plus <c>peftsharp.source.git.dirty</c> (whether uncommitted changes existed).
/// </summary>
public static partial class SystemTags
{
    /// <summary>The tag naming the user who started the run.</summary>
    public const string User = "mlflow.user";

    /// <summary>The tag naming the program that started the run.</summary>
    public const string SourceName = "mlflow.source.name";

    /// <summary>The tag with the source type (<c>LOCAL</c>).</summary>
    public const string SourceType = "mlflow.source.type";

    /// <summary>The git commit the program was built from.</summary>
    public const string GitCommit = "mlflow.source.git.commit";

    /// <summary>The git branch.</summary>
    public const string GitBranch = "mlflow.source.git.branch";

    /// <summary>The remote <c>origin</c> URL, credentials removed.</summary>
    public const string GitRepoUrl = "mlflow.source.git.repoURL";

    /// <summary><c>true</c> when the work tree had uncommitted changes: the commit alone does not reproduce the run.</summary>
    public const string GitDirty = "peftsharp.source.git.dirty";

    /// <summary>The tag linking a child run (one trial of a sweep) to its parent.</summary>
    public const string ParentRunId = "mlflow.parentRunId";

    /// <summary>The Markdown description the MLflow UI shows.</summary>
    public const string Note = "mlflow.note.content";

    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> GitCache = new(StringComparer.Ordinal);

    /// <summary>
    /// The system tags for a run started now from <paramref name="workingDirectory"/> (default: the current directory).
    /// Git information is read once per folder and process; outside a git work tree, or without git, it is left out.
    /// </summary>
    /// <param name="workingDirectory">The folder to look for a git work tree in.</param>
    /// <returns>The tags by key.</returns>
    public static IReadOnlyDictionary<string, string> Collect(string? workingDirectory = null)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [User] = Environment.UserName,
            [SourceType] = "LOCAL",
            [SourceName] = ProgramName(),
        };
        string folder = Path.GetFullPath(workingDirectory ?? Directory.GetCurrentDirectory());
        foreach (var (key, value) in GitCache.GetOrAdd(folder, ReadGit))
        {
            tags[key] = value;
        }

        return tags;
    }

    /// <summary>Removes user information (<c>user:token@</c>) from a URI, so it can be shown or stored.</summary>
    /// <param name="uri">A URI, possibly with credentials; other text is returned unchanged.</param>
    /// <returns>The URI without credentials.</returns>
    public static string ScrubCredentials(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return UserInfoPattern().Replace(uri, "$1");
    }

    private static string ProgramName()
    {
        string? name = Assembly.GetEntryAssembly()?.GetName().Name;
        if (string.IsNullOrEmpty(name))
        {
            name = Path.GetFileNameWithoutExtension(Environment.ProcessPath);
        }

        return string.IsNullOrEmpty(name) ? "unknown" : name;
    }

    private static Dictionary<string, string> ReadGit(string folder)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? commit = Git(folder, "rev-parse HEAD");
        if (commit is null || commit.Length < 7)
        {
            // Not a work tree, no commits yet, or no git: the run is still recorded, without git tags.
            return tags;
        }

        tags[GitCommit] = commit;
        string? branch = Git(folder, "rev-parse --abbrev-ref HEAD");
        if (!string.IsNullOrEmpty(branch) && branch != "HEAD")
        {
            tags[GitBranch] = branch;
        }

        string? remote = Git(folder, "config --get remote.origin.url");
        if (!string.IsNullOrEmpty(remote))
        {
            tags[GitRepoUrl] = ScrubCredentials(remote);
        }

        string? status = Git(folder, "status --porcelain --untracked-files=no");
        if (status is not null)
        {
            tags[GitDirty] = status.Length == 0 ? "false" : "true";
        }

        return tags;
    }

    private static string? Git(string folder, string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            start.Environment["GIT_TERMINAL_PROMPT"] = "0";
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            string output = process.StandardOutput.ReadToEnd();
            _ = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            // git is not installed or cannot run: git tags are optional.
            return null;
        }
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoPattern();
}
