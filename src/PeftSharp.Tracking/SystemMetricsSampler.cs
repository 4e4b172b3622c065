namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// Samples the machine in the background and logs MLflow's system metrics to a run: <c>system/cpu_utilization_percentage</c>
/// (from <c>/proc/stat</c>), <c>system/system_memory_usage_megabytes</c> and <c>_percentage</c> (<c>/proc/meminfo</c>),
/// <c>system/disk_usage_percentage</c>, <c>_megabytes</c>, <c>system/disk_available_megabytes</c>, and per GPU
/// <c>system/gpu_&lt;i&gt;_utilization_percentage</c>, <c>_memory_usage_megabytes</c>, <c>_memory_usage_percentage</c>,
/// <c>_power_usage_watts</c>, <c>_power_usage_percentage</c> (through <c>nvidia-smi</c> when it is installed).
/// The step counts samples from 0, as MLflow's own sampler does.
/// </summary>
public sealed class SystemMetricsSampler : IDisposable
{
    /// <summary>MLflow's default sampling interval.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly TrackedRun _run;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private CpuTimes? _previousCpu;
    private bool _gpuAvailable = true;
    private long _step;
    private int _disposed;

    internal SystemMetricsSampler(TrackedRun run, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The sampling interval must be positive.");
        }

        _run = run;
        Interval = interval;
    }

    /// <summary>The sampling interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How many samples were logged.</summary>
    public long Samples => Interlocked.Read(ref _step);

    /// <summary>Reads the machine once: every available system metric by key (without logging it).</summary>
    /// <returns>The values.</returns>
    public Dictionary<string, double> Sample()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (TryRead("/proc/stat") is string stat && ParseProcStat(stat) is CpuTimes cpu)
        {
            if (_previousCpu is CpuTimes before && cpu.Total > before.Total)
            {
                values["system/cpu_utilization_percentage"] = Math.Round(100.0 * (cpu.Busy - before.Busy) / (cpu.Total - before.Total), 1);
            }

            _previousCpu = cpu;
        }

        if (TryRead("/proc/meminfo") is string meminfo && ParseMeminfo(meminfo) is (double usedMb, double percent))
        {
            values["system/system_memory_usage_megabytes"] = Math.Round(usedMb, 1);
            values["system/system_memory_usage_percentage"] = Math.Round(percent, 1);
        }

        try
        {
            var drive = new DriveInfo(Path.GetPathRoot(Directory.GetCurrentDirectory()) ?? "/");
            double total = drive.TotalSize / 1048576.0;
            double available = drive.AvailableFreeSpace / 1048576.0;
            values["system/disk_usage_megabytes"] = Math.Round(total - available, 1);
            values["system/disk_available_megabytes"] = Math.Round(available, 1);
            values["system/disk_usage_percentage"] = total > 0 ? Math.Round(100 * (total - available) / total, 1) : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // No disk figures on this platform; the others still count.
        }

        if (_gpuAvailable)
        {
            string? csv = NvidiaSmi();
            if (csv is null)
            {
                _gpuAvailable = false;
            }
            else
            {
                foreach (var (key, value) in ParseNvidiaSmi(csv))
                {
                    values[key] = value;
                }
            }
        }

        return values;
    }

    /// <summary>Stops sampling; a sample in progress completes first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Cancellation: expected.
        }

        _stop.Dispose();
    }

    /// <summary>Parses the aggregate <c>cpu</c> line of <c>/proc/stat</c>: busy and total jiffies (idle and iowait are not busy).</summary>
    /// <param name="text">The file's text.</param>
    /// <returns>The times, or null when there is no valid cpu line.</returns>
    internal static CpuTimes? ParseProcStat(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            if (!line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                continue;
            }

            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5)
            {
                return null;
            }

            long total = 0;
            long idle = 0;

            // user nice system idle iowait irq softirq steal (guest times are already in user and nice).
            for (int i = 1; i < Math.Min(fields.Length, 9); i++)
            {
                if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                {
                    return null;
                }

                total += value;
                if (i is 4 or 5)
                {
                    idle += value;
                }
            }

            return new CpuTimes(total - idle, total);
        }

        return null;
    }

    /// <summary>Parses <c>/proc/meminfo</c>: used = MemTotal - MemAvailable, in MiB and percent.</summary>
    /// <param name="text">The file's text.</param>
    /// <returns>(used MiB, used percent), or null when the fields are missing.</returns>
    internal static (double UsedMb, double Percent)? ParseMeminfo(string text)
    {
        long? total = null;
        long? available = null;
        foreach (string line in text.Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
            {
                if (fields[0] == "MemTotal:")
                {
                    total = kb;
                }
                else if (fields[0] == "MemAvailable:")
                {
                    available = kb;
                }
            }
        }

        if (total is not long t || available is not long a || t <= 0)
        {
            return null;
        }

        return ((t - a) / 1024.0, 100.0 * (t - a) / t);
    }

    /// <summary>
    /// Parses <c>nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw,power.limit
    /// --format=csv,noheader,nounits</c>; fields nvidia-smi reports as <c>[N/A]</c> are left out.
    /// </summary>
    /// <param name="csv">The command's output.</param>
    /// <returns>System metrics by key.</returns>
    internal static Dictionary<string, double> ParseNvidiaSmi(string csv)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length < 6 || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                continue;
            }

            string prefix = string.Create(CultureInfo.InvariantCulture, $"system/gpu_{index}_");
            double? utilization = Number(f[1]);
            double? used = Number(f[2]);
            double? total = Number(f[3]);
            double? power = Number(f[4]);
            double? limit = Number(f[5]);
            if (utilization is double u)
            {
                values[prefix + "utilization_percentage"] = u;
            }

            if (used is double mb)
            {
                values[prefix + "memory_usage_megabytes"] = mb;
                if (total is double t && t > 0)
                {
                    values[prefix + "memory_usage_percentage"] = Math.Round(100 * mb / t, 1);
                }
            }

            if (power is double w)
            {
                values[prefix + "power_usage_watts"] = w;
                if (limit is double l && l > 0)
                {
                    values[prefix + "power_usage_percentage"] = Math.Round(100 * w / l, 1);
                }
            }
        }

        return values;
    }

    internal void Start()
    {
        // A first reading now gives the CPU baseline, so the first logged sample already has a utilisation.
        _ = Sample();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    LogOnce();
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        });
    }

    private void LogOnce()
    {
        var values = Sample();
        if (values.Count == 0 || _run.IsEnded)
        {
            return;
        }

        try
        {
            _run.LogMetrics(values, Interlocked.Increment(ref _step) - 1);
        }
        catch (Exception e) when (e is TrackingException or IOException or InvalidOperationException)
        {
            // System metrics must never break training; the next sample tries again.
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    private static string? NvidiaSmi()
    {
        try
        {
            var start = new ProcessStartInfo(
                "nvidia-smi", "--query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw,power.limit --format=csv,noheader,nounits")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
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

            return process.ExitCode == 0 ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            // No NVIDIA driver on this machine: no GPU metrics.
            return null;
        }
    }

    /// <summary>Aggregate CPU jiffies from <c>/proc/stat</c>.</summary>
    /// <param name="Busy">Jiffies not idle.</param>
    /// <param name="Total">All jiffies.</param>
    internal readonly record struct CpuTimes(long Busy, long Total);
}
