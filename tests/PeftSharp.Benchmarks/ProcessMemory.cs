namespace PeftSharp.Benchmarks;

using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

/// <summary>
/// Resident memory of this process, from Linux's /proc/self/status. LibTorch's CPU tensors are plain malloc
/// allocations that TorchSharp does not account for, so RSS is what measures them. The peak (VmHWM) is reset through
/// /proc/self/clear_refs; where that is not permitted, a sampling thread tracks the peak instead.
/// </summary>
internal sealed partial class ProcessMemory : IDisposable
{
    private readonly bool kernelPeak;
    private readonly Thread? sampler;
    private long sampledPeak;
    private volatile bool stop;

    private ProcessMemory(bool kernelPeak)
    {
        this.kernelPeak = kernelPeak;
        sampledPeak = CurrentBytes();
        if (!kernelPeak)
        {
            sampler = new Thread(Sample) { IsBackground = true, Name = "rss-sampler" };
            sampler.Start();
        }
    }

    /// <summary>How the peak is measured, for the report.</summary>
    public string Method => kernelPeak
        ? "peak RSS (VmHWM, reset through /proc/self/clear_refs)"
        : "peak RSS sampled every millisecond (VmHWM could not be reset here)";

    /// <summary>Starts tracking the peak from now.</summary>
    public static ProcessMemory StartPeak() => new(TryResetKernelPeak());

    /// <summary>The resident set size now, in bytes.</summary>
    public static long CurrentBytes() => ReadStatus("VmRSS:");

    /// <summary>Returns freed heap memory to the OS, so an earlier phase's freed blocks do not hide a later phase's growth.</summary>
    public static void Trim()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(UIntPtr.Zero);
            }
            catch (EntryPointNotFoundException)
            {
                // Not glibc: nothing to trim.
            }
            catch (DllNotFoundException)
            {
                // Same.
            }
        }
    }

    /// <summary>The highest resident set size since <see cref="StartPeak"/>, in bytes.</summary>
    public long PeakBytes() => kernelPeak ? ReadStatus("VmHWM:") : Math.Max(Interlocked.Read(ref sampledPeak), CurrentBytes());

    public void Dispose()
    {
        stop = true;
        sampler?.Join();
    }

    private static bool TryResetKernelPeak()
    {
        try
        {
            // "5" resets the peak resident set size (Linux 4.0+).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var kb = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new PlatformNotSupportedException($"/proc/self/status has no {field} line; memory is measured on Linux only.");
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(UIntPtr pad);

    private void Sample()
    {
        while (!stop)
        {
            var now = CurrentBytes();
            if (now > Interlocked.Read(ref sampledPeak))
            {
                Interlocked.Exchange(ref sampledPeak, now);
            }

            Thread.Sleep(1);
        }
    }
}
