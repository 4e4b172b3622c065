namespace PeftSharp.Tracking.Tests;

using System;
using System.IO;
using System.Linq;
using System.Threading;
using FluentAssertions;
using Xunit;

/// <summary>System metrics: parsers checked against hand-computed values, and the sampler logging under system/ keys.</summary>
public sealed class SystemMetricsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Proc_stat_gives_busy_and_total_jiffies()
    {
        var times = SystemMetricsSampler.ParseProcStat("cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n");

        // total = 100+5+50+800+20+3+2+0 = 980; idle = 800 + 20 (iowait).
        times.Should().Be(new SystemMetricsSampler.CpuTimes(160, 980));
        SystemMetricsSampler.ParseProcStat("garbage").Should().BeNull();
    }

    [Fact]
    public void Meminfo_gives_used_memory_as_total_minus_available()
    {
        var used = SystemMetricsSampler.ParseMeminfo("MemTotal:       16384000 kB\nMemFree:  1 kB\nMemAvailable:    4096000 kB\n");

        used!.Value.UsedMb.Should().BeApproximately((16384000 - 4096000) / 1024.0, 1e-9);
        used.Value.Percent.Should().BeApproximately(75.0, 1e-9);
    }

    [Fact]
    public void Nvidia_smi_rows_become_mlflows_gpu_keys_and_missing_fields_are_skipped()
    {
        var values = SystemMetricsSampler.ParseNvidiaSmi("0, 87, 40000, 80000, 350.5, 700.00\n1, 0, 10, 80000, [N/A], [N/A]\n");

        values.Should().Contain("system/gpu_0_utilization_percentage", 87)
            .And.Contain("system/gpu_0_memory_usage_megabytes", 40000)
            .And.Contain("system/gpu_0_memory_usage_percentage", 50)
            .And.Contain("system/gpu_0_power_usage_watts", 350.5)
            .And.Contain("system/gpu_0_power_usage_percentage", 50.1)
            .And.Contain("system/gpu_1_utilization_percentage", 0);
        values.Should().NotContainKey("system/gpu_1_power_usage_watts");
    }

    [Fact]
    public void The_sampler_logs_system_metrics_in_the_background_until_the_run_ends()
    {
        var store = new MlflowFileStore(_temp.Combine("mlruns"));
        var run = TrackedRun.Start(store, "sys", "r");

        var sampler = run.StartSystemMetrics(TimeSpan.FromMilliseconds(50));
        SpinWait.SpinUntil(() => sampler.Samples >= 2, TimeSpan.FromSeconds(10)).Should().BeTrue();
        run.End(RunStatus.Finished);
        long samples = sampler.Samples;
        Thread.Sleep(150);

        sampler.Samples.Should().Be(samples, "ending the run stops sampling");
        var record = store.GetRun(run.RunId);
        if (OperatingSystem.IsLinux())
        {
            record.LatestMetrics.Keys.Should().Contain(["system/cpu_utilization_percentage", "system/system_memory_usage_megabytes", "system/system_memory_usage_percentage"]);
            store.GetMetricHistory(run.RunId, "system/system_memory_usage_megabytes").Select(m => m.Step).Should().StartWith([0L, 1L]);
        }
    }
}
