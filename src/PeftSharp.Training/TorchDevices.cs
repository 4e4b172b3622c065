namespace PeftSharp.Training;

using System;
using static TorchSharp.torch;

/// <summary>Chooses where training runs: CUDA when present (or asked for), the CPU otherwise.</summary>
public static class TorchDevices
{
    /// <summary>
    /// Resolves <paramref name="requested"/>: null, empty or "auto" picks CUDA when available, else the CPU;
    /// "cpu", "cuda" and "cuda:N" are taken as given.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a device, or CUDA was asked for on a machine or build without it.</exception>
    public static Device Resolve(string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? "auto" : requested.Trim().ToLowerInvariant();
        if (name == "auto")
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        if (name == "cpu")
        {
            return CPU;
        }

        if (name == "cuda" || name.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
            {
                throw new ArgumentException(
                    $"--device {requested}: CUDA is not available. Use --device cpu, or on a GPU machine build with -p:TorchRuntime=cuda.");
            }

            return device(name);
        }

        throw new ArgumentException($"--device '{requested}' is not a device. Valid values: auto, cpu, cuda, cuda:N.");
    }
}
