namespace PeftSharp.Training;

using System;
using System.Runtime.InteropServices;

/// <summary>
/// Whether LibTorch may run <c>scaled_dot_product_attention</c> with cuDNN's kernels, PyTorch's
/// <c>torch.backends.cuda.enable_cudnn_sdp</c>, which TorchSharp 0.107 does not bind. cuDNN's attention (chosen for
/// bfloat16 and float16 on Hopper GPUs) builds and compiles a kernel for every new sequence length: measured on an H200
/// with LibTorch 2.11, 0.7-2 s per new length (forward and backward), then 0.2-0.8 ms. Text batches padded to their
/// longest review have dozens of lengths, so this cost dominated bfloat16 training (a mean step of 69 ms against a
/// median of 23 ms); with cuDNN's attention off, the first call of a new length took at most 8 ms. The runner turns it
/// off on CUDA (<see cref="Runner.ExperimentRunner"/>).
/// </summary>
public static partial class CuDnnAttention
{
    private const string LibTorch = "libtorch_cpu.so";

    /// <summary>
    /// Gets or sets LibTorch's global switch (<c>at::globalContext().userEnabledCuDNNSDP()</c>). TorchSharp must have
    /// loaded LibTorch first (any tensor operation does).
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The LibTorch loaded has no such switch (not 2.x on Linux).</exception>
    public static bool Enabled
    {
        get => Call(() => UserEnabledCuDnnSdp(GlobalContext()));
        set => Call(() =>
        {
            SetSdpUseCuDnn(GlobalContext(), value);
            return value;
        });
    }

    private static bool Call(Func<bool> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            throw new PlatformNotSupportedException($"This LibTorch has no switch for cuDNN attention ({e.Message}).", e);
        }
    }

    // at::globalContext() and two members of at::Context (Itanium C++ ABI: `this` is the first argument).
    [LibraryImport(LibTorch, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(LibTorch, EntryPoint = "_ZNK2at7Context19userEnabledCuDNNSDPEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledCuDnnSdp(IntPtr context);

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context14setSDPUseCuDNNEb")]
    private static partial void SetSdpUseCuDnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
