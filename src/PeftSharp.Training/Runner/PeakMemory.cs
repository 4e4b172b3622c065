namespace PeftSharp.Training.Runner;

using System;
using System.Globalization;
using System.IO;

/// <summary>
/// The peak resident memory of this process over a phase, from Linux's /proc/self/status. LibTorch's CPU tensors are
/// plain malloc allocations that .NET does not count, so resident memory is what measures them. The kernel's
/// high-water mark (VmHWM) is reset by writing 5 to /proc/self/clear_refs at the start of the phase.
/// </summary>
public sealed class PeakMemory
{
    private readonly bool reset;

    private PeakMemory(bool reset) => this.reset = reset;

    /// <summary>Starts measuring: resets the kernel's high-water mark where permitted.</summary>
    public static PeakMemory Start() => new(TryReset());

    /// <summary>
    /// The peak resident memory since <see cref="Start"/> in MiB; null where it cannot be measured for the phase alone
    /// (no /proc, or the high-water mark could not be reset: the process's earlier peak would be misreported as this phase's).
    /// </summary>
    public double? PeakMegabytes() => reset && ReadStatusKilobytes("VmHWM:") is { } kb ? kb / 1024.0 : null;

    private static bool TryReset()
    {
        try
        {
            // "5" resets the peak resident set size (Linux 4.0+).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadStatusKilobytes(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return null;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal)
                && long.TryParse(line[field.Length..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb))
            {
                return kb;
            }
        }

        return null;
    }
}
