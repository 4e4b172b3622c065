namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

/// <summary>
/// What TorchSharp 0.107 cannot say about NVIDIA GPUs (it has no device name and no memory statistics), read from the
/// driver's management library NVML (<c>libnvidia-ml.so.1</c>, installed with every NVIDIA driver). Everything returns
/// null or nothing where the library or a GPU is missing, so callers need no GPU check of their own.
/// </summary>
internal static partial class NvidiaGpus
{
    private const string Library = "libnvidia-ml.so.1";
    private const int Success = 0;
    private const int InsufficientSize = 7;
    private const int NameBufferSize = 96;

    private static readonly Lazy<bool> Initialized = new(TryInitialize);

    /// <summary>One line per GPU: name, memory and driver, e.g. <c>NVIDIA H200, 143771 MiB, driver 580.159.03</c>.</summary>
    public static IReadOnlyList<string> Describe()
    {
        var result = new List<string>();
        if (!Initialized.Value || nvmlDeviceGetCount_v2(out var count) != Success)
        {
            return result;
        }

        var driver = new byte[NameBufferSize];
        var driverVersion = nvmlSystemGetDriverVersion(driver, (uint)driver.Length) == Success ? Text(driver) : "unknown";
        for (var i = 0u; i < count; i++)
        {
            var name = new byte[NameBufferSize];
            if (nvmlDeviceGetHandleByIndex_v2(i, out var device) != Success || nvmlDeviceGetName(device, name, (uint)name.Length) != Success)
            {
                continue;
            }

            var memory = nvmlDeviceGetMemoryInfo(device, out var info) == Success ? string.Create(CultureInfo.InvariantCulture, $", {info.Total / 1048576} MiB") : string.Empty;
            result.Add($"{Text(name)}{memory}, driver {driverVersion}");
        }

        return result;
    }

    /// <summary>
    /// The GPU memory this process holds on GPU <paramref name="index"/> in MiB (the CUDA context plus what LibTorch's
    /// caching allocator reserved), or null where NVML cannot tell.
    /// </summary>
    public static double? ProcessMegabytes(int index)
    {
        if (!Initialized.Value || nvmlDeviceGetHandleByIndex_v2((uint)index, out var device) != Success)
        {
            return null;
        }

        var pid = (uint)Environment.ProcessId;
        var capacity = 16u;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var processes = new ProcessInfo[capacity];
            var count = capacity;
            var status = nvmlDeviceGetComputeRunningProcesses_v3(device, ref count, processes);
            if (status == InsufficientSize)
            {
                capacity = count + 8;
                continue;
            }

            if (status != Success)
            {
                return null;
            }

            for (var i = 0; i < count; i++)
            {
                if (processes[i].Pid == pid)
                {
                    return processes[i].UsedGpuMemory / 1048576.0;
                }
            }

            return null;
        }

        return null;
    }

    private static bool TryInitialize()
    {
        try
        {
            return nvmlInit_v2() == Success;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static string Text(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    [LibraryImport(Library)]
    private static partial int nvmlInit_v2();

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetCount_v2(out uint count);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetName(IntPtr device, [Out] byte[] name, uint length);

    [LibraryImport(Library)]
    private static partial int nvmlSystemGetDriverVersion([Out] byte[] version, uint length);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetMemoryInfo(IntPtr device, out MemoryInfo memory);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetComputeRunningProcesses_v3(IntPtr device, ref uint count, [Out] ProcessInfo[] processes);

    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryInfo
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    // nvmlProcessInfo_t (NVML 11.4+, the _v3 calls): pid, used GPU memory in bytes, GPU and compute instance ids.
    [StructLayout(LayoutKind.Sequential)]
    private struct ProcessInfo
    {
        public uint Pid;
        public ulong UsedGpuMemory;
        public uint GpuInstanceId;
        public uint ComputeInstanceId;
    }
}
