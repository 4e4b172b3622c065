namespace PeftSharp.Platform;

using System;
using System.Runtime.InteropServices;

/// <summary>
/// Two of LibTorch's global backend switches that TorchSharp 0.107 does not bind, set through LibTorch's own context
/// (<c>at::globalContext()</c>), as PyTorch's <c>torch.backends</c> sets them. TorchSharp must have loaded LibTorch
/// first (any tensor operation does). On CUDA the runner turns cuDNN attention off (docs/runner.md).
/// </summary>
public static partial class LibTorchBackends
{
    private const string LibTorch = "libtorch_cpu.so";

    /// <summary>
    /// Whether CPU convolutions may use oneDNN (PyTorch's <c>torch.backends.mkldnn.enabled</c>). In LibTorch 2.10,
    /// oneDNN's convolution returns wrong input gradients, often NaN, for kernels larger than 1x1 whose output channels
    /// are not a multiple of 16. Checked against float64 on this project's CPU: 4, 8, 12 and 24 channels were wrong,
    /// with errors of 8 to 12, and 16 was right. With oneDNN off, LibTorch's own convolution is right for every count,
    /// with errors of at most 7e-6, but a ResNet-18 LoRA step took 3-4.5x as long (benchmark <c>onednn</c>). So the
    /// runner keeps oneDNN on and guards the affected convolutions instead (<see cref="ConvolutionGuard"/>).
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The LibTorch loaded has no such switch.</exception>
    public static bool OneDnnEnabled
    {
        get => Call(() => UserEnabledMkldnn(GlobalContext()));
        set => Call(() =>
        {
            SetUserEnabledMkldnn(GlobalContext(), value);
            return value;
        });
    }

    /// <summary>
    /// Whether <c>scaled_dot_product_attention</c> may use cuDNN's kernels (PyTorch's
    /// <c>torch.backends.cuda.enable_cudnn_sdp</c>). cuDNN's attention is chosen for bfloat16 and float16 on Hopper
    /// GPUs, and it builds and compiles a kernel for every new sequence length. On an H200 with LibTorch 2.11 this took
    /// 0.7-2 s per new length (forward and backward), then 0.2-0.8 ms. Text batches padded to their longest review have
    /// dozens of lengths, so this cost dominated bfloat16 training: a mean step of 69 ms against a median of 23 ms.
    /// With it off, the first call at a new length took at most 8 ms.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The LibTorch loaded has no such switch.</exception>
    public static bool CuDnnAttentionEnabled
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
            throw new PlatformNotSupportedException($"This LibTorch lacks the backend switch ({e.Message}).", e);
        }
    }

    // at::globalContext() and members of at::Context (Itanium C++ ABI: `this` is the first argument).
    [LibraryImport(LibTorch, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(LibTorch, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(LibTorch, EntryPoint = "_ZNK2at7Context19userEnabledCuDNNSDPEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledCuDnnSdp(IntPtr context);

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context14setSDPUseCuDNNEb")]
    private static partial void SetSdpUseCuDnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
