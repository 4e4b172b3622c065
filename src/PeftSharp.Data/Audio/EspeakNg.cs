namespace PeftSharp.Data.Audio;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data.Sources;

/// <summary>
/// The espeak-ng speech synthesizer, unpacked from Debian packages into a cache folder (no root, nothing installed)
/// and run as a process with <c>LD_LIBRARY_PATH</c> and <c>--path</c> pointing into the cache. The packages are
/// espeak-ng and whatever of its dependency closure this machine lacks (on a bare Debian 12: libespeak-ng1,
/// espeak-ng-data, libpcaudio0, libsonic0, libpulse0, libsndfile1 and its codecs, ...).
/// </summary>
public sealed partial class EspeakNg
{
    /// <summary>The Debian package of the synthesizer's program.</summary>
    public const string PackageName = "espeak-ng";

    private const string ManifestFile = "espeak-ng.packages";

    private EspeakNg(string executable, string? dataParent, string libraryPath, IReadOnlyList<(string Package, string Version)> packages)
    {
        Executable = executable;
        DataParent = dataParent;
        LibraryPath = libraryPath;
        Packages = packages;
    }

    /// <summary>The unpacked <c>espeak-ng</c> program.</summary>
    public string Executable { get; }

    /// <summary>The folder holding <c>espeak-ng-data</c> (what <c>--path</c> expects); null for an installed espeak-ng.</summary>
    public string? DataParent { get; }

    /// <summary>The library folders of the unpacked packages, colon-separated, put before the process's own LD_LIBRARY_PATH.</summary>
    public string LibraryPath { get; }

    /// <summary>The packages unpacked for it, with versions (record them: the audio depends on the espeak-ng version).</summary>
    public IReadOnlyList<(string Package, string Version)> Packages { get; }

    /// <summary>The espeak-ng package version, e.g. <c>1.51+dfsg-10+deb12u2</c>.</summary>
    public string Version => Packages.FirstOrDefault(p => p.Package == PackageName).Version ?? "system";

    /// <summary>
    /// Returns espeak-ng unpacked under <paramref name="cacheDirectory"/>, resolving and fetching its packages on first
    /// use (apt-cache, apt-get download, dpkg -x). Later calls read the cache's package list and need no apt.
    /// </summary>
    /// <exception cref="InvalidOperationException">The packages cannot be resolved or fetched; the message says why.</exception>
    public static async Task<EspeakNg> EnsureAsync(string cacheDirectory, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        ArgumentNullException.ThrowIfNull(log);
        var root = Path.GetFullPath(cacheDirectory);
        var manifest = Path.Combine(root, ManifestFile);
        IReadOnlyList<(string Package, string Version)>? packages = ReadManifest(manifest);
        if (packages is null || !packages.All(p => DebianPackage.IsExtracted(p.Package, p.Version, root)))
        {
            var missingTools = DebianPackage.MissingTools("espeak-ng is fetched as Debian packages");
            if (missingTools is not null)
            {
                throw new InvalidOperationException(missingTools);
            }

            packages = await DebianRuntimeClosure.ResolveAsync([PackageName], log, cancellationToken).ConfigureAwait(false);
            await log.WriteLineAsync($"espeak-ng needs {packages.Count} Debian packages this machine lacks: {string.Join(", ", packages.Select(p => p.Package))}").ConfigureAwait(false);
            try
            {
                await DebianRuntimeClosure.DownloadAsync(packages, root, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                // One package at a time below, with DebianPackage's own recovery (apt-get update as root).
                await log.WriteLineAsync($"Downloading them together failed ({e.Message.Split('\n')[0]}); fetching one by one.").ConfigureAwait(false);
            }

            foreach (var (package, version) in packages)
            {
                await DebianPackage.EnsureExtractedAsync(package, version, root, log, cancellationToken).ConfigureAwait(false);
            }

            var temporary = manifest + ".tmp";
            await File.WriteAllLinesAsync(temporary, packages.Select(p => $"{p.Package} {p.Version}"), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, manifest, overwrite: true);
        }

        return Locate(root, packages);
    }

    /// <summary>
    /// Synthesizes <paramref name="text"/> and returns the audio espeak-ng writes to its standard output (22050 Hz mono
    /// 16-bit PCM), parsed and validated by <see cref="WaveFile"/>.
    /// </summary>
    /// <param name="text">What to say.</param>
    /// <param name="voice">A voice such as <c>en-gb-scotland</c>, optionally with a variant: <c>en-us+f3</c>.</param>
    /// <param name="wordsPerMinute">Speaking rate (espeak-ng <c>-s</c>, 80..450).</param>
    /// <param name="pitch">Pitch adjustment (espeak-ng <c>-p</c>, 0..99).</param>
    /// <param name="wordGap">Extra pause between words in units of 10 ms at the default rate (espeak-ng <c>-g</c>).</param>
    /// <param name="cancellationToken">Stops waiting for the process.</param>
    /// <exception cref="InvalidOperationException">espeak-ng fails or rejects the voice; its message is included.</exception>
    public async Task<WaveAudio> SynthesizeAsync(string text, string voice, int wordsPerMinute = 175, int pitch = 50, int wordGap = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        ArgumentNullException.ThrowIfNull(voice);
        if (!VoicePattern().IsMatch(voice))
        {
            throw new ArgumentException($"Voice '{voice}' is not a voice name: use letters, digits and '-', optionally '+variant' (e.g. en-gb-scotland+m3).", nameof(voice));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(wordsPerMinute, 80);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wordsPerMinute, 450);
        ArgumentOutOfRangeException.ThrowIfNegative(pitch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pitch, 99);
        ArgumentOutOfRangeException.ThrowIfNegative(wordGap);

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (DataParent is not null)
        {
            start.ArgumentList.Add("--path");
            start.ArgumentList.Add(DataParent);
        }

        foreach (var argument in new[] { "-v", voice, "-s", $"{wordsPerMinute}", "-p", $"{pitch}", "-g", $"{wordGap}", "--stdout", "--", text })
        {
            start.ArgumentList.Add(argument);
        }

        var inherited = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        start.Environment["LD_LIBRARY_PATH"] = string.IsNullOrEmpty(inherited) ? LibraryPath : LibraryPath + ":" + inherited;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        using var audio = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(audio, cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await copy.ConfigureAwait(false);
        var message = (await errors.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0 || message.Length > 0 && audio.Length <= 44)
        {
            throw new InvalidOperationException(
                $"espeak-ng -v {voice} failed (exit code {process.ExitCode}): {(message.Length > 0 ? message : "no audio written")}. "
                + "The English voices are listed by: espeak-ng --voices=en.");
        }

        // --stdout cannot seek back to write the sizes, so the header holds a placeholder: allow it.
        return WaveFile.Parse(audio.GetBuffer().AsSpan(0, (int)audio.Length), $"espeak-ng -v {voice} output", allowStreamedLength: true);
    }

    private static EspeakNg Locate(string root, IReadOnlyList<(string Package, string Version)> packages)
    {
        var folders = packages.Select(p => Path.Combine(root, $"{p.Package}_{p.Version}")).ToList();
        var executable = folders.Select(f => Path.Combine(f, "usr", "bin", "espeak-ng")).FirstOrDefault(File.Exists);
        if (executable is null)
        {
            // espeak-ng is installed on this machine: nothing was unpacked, use the system's.
            executable = "espeak-ng";
        }

        var dataParent = folders
            .SelectMany(f => Directory.EnumerateDirectories(f, "espeak-ng-data", SearchOption.AllDirectories))
            .Where(d => File.Exists(Path.Combine(d, "phontab")))
            .Select(d => Path.GetDirectoryName(d)!)
            .FirstOrDefault();
        if (dataParent is null && executable != "espeak-ng")
        {
            throw new InvalidOperationException(
                $"No espeak-ng-data folder with a phontab file under {root}; delete {Path.Combine(root, ManifestFile)} to fetch the packages again.");
        }

        var libraries = folders
            .SelectMany(f => Directory.EnumerateFiles(f, "*.so*", SearchOption.AllDirectories))
            .Select(Path.GetDirectoryName)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return new EspeakNg(executable, dataParent, string.Join(':', libraries), packages);
    }

    private static List<(string Package, string Version)>? ReadManifest(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var entries = File.ReadAllLines(path, Encoding.UTF8).Where(l => l.Length > 0).Select(l => l.Split(' ')).ToList();
        return entries.All(e => e.Length == 2) ? entries.Select(e => (e[0], e[1])).ToList() : null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*(\+[A-Za-z0-9_-]+)?$")]
    private static partial Regex VoicePattern();
}
