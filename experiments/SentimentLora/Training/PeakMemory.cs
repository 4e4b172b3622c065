namespace SentimentLora.Training;

using System;
using System.Globalization;
using System.IO;
using System.Linq;

/// <summary>
/// The process's peak resident memory (Linux <c>VmHWM</c>), which <see cref="Reset"/> lowers to the current resident
/// size so that one phase (training one variant of a sweep in this process) is measured on its own.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Resets the peak to the current resident size (writes 5 to /proc/self/clear_refs); false where unsupported.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Peak resident memory in MiB since start or the last <see cref="Reset"/>; the process peak where /proc is absent.</summary>
    public static double PeakMiB()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null)
            {
                var kib = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kib / 1024.0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Fall through to the runtime's own figure.
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
