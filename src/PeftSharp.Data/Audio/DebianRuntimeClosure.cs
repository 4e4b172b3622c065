namespace PeftSharp.Data.Audio;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// The Debian packages a program needs that this machine does not have installed: the closure of the roots'
/// <c>Depends</c>/<c>Pre-Depends</c> (first alternative, or the first provider of a virtual package), not descending
/// into installed packages, whose own dependencies are installed already. Read with <c>apt-cache depends</c>,
/// <c>dpkg-query</c> and <c>apt-cache policy</c>; nothing is installed. The packages can then be unpacked with
/// <see cref="Sources.DebianPackage"/> and their libraries put on <c>LD_LIBRARY_PATH</c>.
/// </summary>
public static class DebianRuntimeClosure
{
    /// <summary>Resolves the missing packages of <paramref name="roots"/> with the version apt would install.</summary>
    /// <exception cref="InvalidOperationException">apt-cache or dpkg-query fails, or a package has no installable version.</exception>
    public static async Task<IReadOnlyList<(string Package, string Version)>> ResolveAsync(
        IReadOnlyList<string> roots, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(log);
        var installed = ParseInstalled(await RunAsync("dpkg-query", ["-W", "-f=${Package} ${Status}\n"], cancellationToken).ConfigureAwait(false));
        var versions = await CandidatesAsync(roots, cancellationToken).ConfigureAwait(false);
        if (versions.Count < roots.Count && Environment.UserName == "root")
        {
            // A fresh machine (a CI container) has no package lists yet; as root, refresh them once.
            await log.WriteLineAsync("apt has no candidate for " + string.Join(", ", roots.Where(r => !versions.ContainsKey(r))) + "; running apt-get update.").ConfigureAwait(false);
            await RunAsync("apt-get", ["update"], cancellationToken).ConfigureAwait(false);
        }

        string[] depends = ["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"];
        var graph = ParseDependsGraph(await RunAsync("apt-cache", [.. depends, .. roots], cancellationToken).ConfigureAwait(false));
        var missing = new List<string>();
        var queue = new Queue<string>(roots);
        var seen = new HashSet<string>(roots, StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var package = queue.Dequeue();
            if (installed.Contains(package))
            {
                continue;
            }

            missing.Add(package);
            foreach (var group in graph.GetValueOrDefault(package) ?? [])
            {
                if (group.Any(a => installed.Contains(a.Name) || a.Providers.Any(installed.Contains)))
                {
                    continue;
                }

                var first = group[0];
                var pick = first.IsVirtual ? first.Providers.FirstOrDefault() : first.Name;
                if (pick is null)
                {
                    throw new InvalidOperationException($"{package} depends on the virtual package {first.Name}, which nothing provides; install it with apt-get.");
                }

                if (seen.Add(pick))
                {
                    queue.Enqueue(pick);
                }
            }
        }

        var candidates = await CandidatesAsync(missing, cancellationToken).ConfigureAwait(false);
        var absent = missing.Where(p => !candidates.ContainsKey(p)).ToList();
        if (absent.Count > 0)
        {
            throw new InvalidOperationException(
                $"apt knows no installable version of {string.Join(", ", absent)}. Run 'apt-get update' (as root), or check that the Debian main repository is configured.");
        }

        return missing.Select(p => (p, candidates[p])).ToList();
    }

    /// <summary>
    /// Downloads <paramref name="packages"/> into <paramref name="directory"/> with one <c>apt-get download</c> (one
    /// call instead of one per package: each call costs apt's start-up and a connection). Packages whose .deb is
    /// already there are skipped.
    /// </summary>
    /// <exception cref="InvalidOperationException">apt-get fails; its message is included.</exception>
    public static async Task DownloadAsync(IReadOnlyList<(string Package, string Version)> packages, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packages);
        Directory.CreateDirectory(directory);
        var present = Directory.EnumerateFiles(directory, "*.deb").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var wanted = packages
            .Where(p => !present.Any(f => f!.StartsWith($"{p.Package}_{p.Version.Replace(":", "%3a", StringComparison.Ordinal)}_", StringComparison.Ordinal)))
            .Select(p => $"{p.Package}={p.Version}")
            .ToArray();
        if (wanted.Length > 0)
        {
            await RunAsync("apt-get", ["download", .. wanted], cancellationToken, directory).ConfigureAwait(false);
        }
    }

    /// <summary>Parses <c>apt-cache depends --recurse</c> output: package -> its Depends/PreDepends, each a group of alternatives.</summary>
    public static Dictionary<string, List<List<DebianAlternative>>> ParseDependsGraph(string text)
    {
        var graph = new Dictionary<string, List<List<DebianAlternative>>>(StringComparer.Ordinal);
        List<List<DebianAlternative>>? groups = null;
        List<DebianAlternative>? open = null;   // the group a "|Depends:" line left open
        DebianAlternative? last = null;         // the dependency a provider line belongs to
        foreach (var raw in text.Split('\n'))
        {
            if (raw.Length == 0)
            {
                continue;
            }

            if (raw[0] != ' ')
            {
                var name = raw.Trim();
                groups = graph.TryGetValue(name, out var existing) ? existing : graph[name] = [];
                open = null;
                last = null;
                continue;
            }

            var line = raw.TrimStart();
            var isOr = line.StartsWith('|');
            var body = isOr ? line[1..] : line;
            var colon = body.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                // An indented name under a dependency: a package providing it.
                if (last is not null && raw.StartsWith("    ", StringComparison.Ordinal))
                {
                    last.Providers.Add(line.Trim());
                }

                continue;
            }

            var kind = body[..colon];
            if (groups is null || kind is not ("Depends" or "PreDepends"))
            {
                last = null;
                continue;
            }

            var target = body[(colon + 2)..].Trim();
            var isVirtual = target.StartsWith('<') && target.EndsWith('>');
            last = new DebianAlternative(isVirtual ? target[1..^1] : target, isVirtual, []);
            var group = open ?? [];
            if (open is null)
            {
                groups.Add(group);
            }

            group.Add(last);
            open = isOr ? group : null;
        }

        return graph;
    }

    private static HashSet<string> ParseInstalled(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .Where(p => p.Length == 2 && p[1].Trim() == "install ok installed")
            .Select(p => p[0])
            .ToHashSet(StringComparer.Ordinal);

    private static async Task<Dictionary<string, string>> CandidatesAsync(IReadOnlyList<string> packages, CancellationToken cancellationToken)
    {
        var text = await RunAsync("apt-cache", ["policy", .. packages], cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && line[0] != ' ' && line.EndsWith(':'))
            {
                current = line[..^1].Split(':')[0];
            }
            else if (current is not null && line.TrimStart().StartsWith("Candidate:", StringComparison.Ordinal))
            {
                var version = line.Split(':', 2)[1].Trim();
                if (version != "(none)")
                {
                    result[current] = version;
                }
            }
        }

        return result;
    }

    private static async Task<string> RunAsync(string tool, string[] arguments, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // apt translates its output otherwise; the parsers read the C locale's words.
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{tool}' is not available ({e.Message}): resolving Debian packages needs Debian or Ubuntu.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{errors.Trim()}");
            }

            return output;
        }
    }
}
