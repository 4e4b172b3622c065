namespace PeftSharp.Data.Sources;

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// Fetches a Debian package with <c>apt-get download</c> and unpacks it with <c>dpkg -x</c> into a cache folder,
/// without installing it (no root needed unless the package lists must be refreshed). Idempotent: a complete
/// extraction is reused; a half-finished one is never seen because extraction goes to a temporary folder first.
/// </summary>
public static class DebianPackage
{
    private static readonly string[] RequiredTools = ["apt-get", "dpkg"];

    /// <summary>
    /// Returns the folder holding the unpacked <paramref name="package"/> (version <paramref name="version"/>) under
    /// <paramref name="cacheDirectory"/>, downloading and unpacking it on first use.
    /// </summary>
    /// <exception cref="InvalidOperationException">apt-get or dpkg is missing or fails; the message says what to run.</exception>
    public static async Task<string> EnsureExtractedAsync(
        string package, string version, string cacheDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(package);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        ArgumentNullException.ThrowIfNull(log);
        var root = Path.GetFullPath(cacheDirectory);
        var extracted = Path.Combine(root, $"{package}_{version}");
        if (Directory.Exists(extracted))
        {
            return extracted;
        }

        Directory.CreateDirectory(root);
        var deb = FindDeb(root, package, version) ?? await DownloadAsync(package, version, root, log, cancellationToken).ConfigureAwait(false);
        var temporary = Path.Combine(root, $".{package}.{Guid.NewGuid():N}.tmp");
        try
        {
            await RunAsync("dpkg", ["-x", deb, temporary], root, cancellationToken).ConfigureAwait(false);
            Directory.Move(temporary, extracted);
        }
        catch (IOException) when (Directory.Exists(extracted))
        {
            // Another process finished the same extraction first; its result is identical.
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }

        return extracted;
    }

    /// <summary>True when <paramref name="package"/> is already unpacked in <paramref name="cacheDirectory"/> (no tools needed).</summary>
    public static bool IsExtracted(string package, string version, string cacheDirectory) =>
        Directory.Exists(Path.Combine(Path.GetFullPath(cacheDirectory), $"{package}_{version}"));

    /// <summary>Why packages cannot be fetched on this machine (apt-get or dpkg not on PATH), or null when they can.</summary>
    /// <param name="purpose">What the package is for, e.g. "the review data comes from r-cran-modeldata"; it completes the message.</param>
    public static string? MissingTools(string purpose)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var missing = RequiredTools.Where(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join(" and ", missing)} not found on PATH: {purpose}, which needs Debian or Ubuntu (or put the package's .deb into the cache folder).";
    }

    private static string? FindDeb(string root, string package, string version)
    {
        // apt-get names the file package_version_arch.deb, with ':' in epochs escaped as %3a.
        var prefix = $"{package}_{version.Replace(":", "%3a", StringComparison.Ordinal)}_";
        return Directory.EnumerateFiles(root, "*.deb").FirstOrDefault(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal));
    }

    private static async Task<string> DownloadAsync(string package, string version, string root, TextWriter log, CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"Downloading Debian package {package} {version} (apt-get download) into {root} ...").ConfigureAwait(false);
        var spec = $"{package}={version}";
        try
        {
            await RunAsync("apt-get", ["download", spec], root, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException first) when (Environment.UserName == "root")
        {
            // A fresh machine (a CI container) often has no package lists yet; as root, refresh them once and retry.
            await log.WriteLineAsync($"apt-get download failed ({first.Message.Split('\n')[0]}); running apt-get update and retrying.").ConfigureAwait(false);
            await RunAsync("apt-get", ["update"], root, cancellationToken).ConfigureAwait(false);
            await RunAsync("apt-get", ["download", spec], root, cancellationToken).ConfigureAwait(false);
        }

        return FindDeb(root, package, version)
            ?? throw new InvalidOperationException($"apt-get download {spec} succeeded but left no {package}_{version}_*.deb in {root}.");
    }

    private static async Task RunAsync(string tool, string[] arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"'{tool}' is not available ({e.Message}). Debian packages are fetched with apt-get and unpacked with dpkg: run this on Debian/Ubuntu, "
                + "or fetch the package's .deb elsewhere and put it into the cache folder.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{tool} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{errors.Trim()}");
            }
        }
    }
}
