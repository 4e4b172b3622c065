namespace PeftSharp.Training;

using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

/// <summary>
/// One seed for everything random in a run (weight init, dropout, data order), and bit-identical CPU numerics
/// from run to run.
/// </summary>
public static partial class Reproducibility
{
    /// <summary>
    /// The environment variable that puts Intel MKL (LibTorch's CPU BLAS) in conditional numerical reproducibility
    /// mode. Without it MKL's results depend on memory alignment, so two identical runs in one process can differ in
    /// the last bit after a few steps. <c>AUTO,STRICT</c> keeps the fastest instruction set and makes results
    /// independent of alignment.
    /// </summary>
    public const string MklVariable = "MKL_CBWR";

    /// <summary>The value PeftSharp sets when the user has not set <see cref="MklVariable"/>.</summary>
    public const string MklMode = "AUTO,STRICT";

    /// <summary>Seeds the CPU generator and, when present, every CUDA generator (manual_seed alone seeds only the CPU).</summary>
    public static void Seed(int seed)
    {
        manual_seed(seed);
        if (cuda.is_available())
        {
            cuda.manual_seed_all(seed);
        }
    }

    /// <summary>
    /// Sets <see cref="MklVariable"/> in the native environment before MKL first reads it (at its first call), unless
    /// the user set it. .NET's Environment.SetEnvironmentVariable does not reach native code on Unix, hence setenv.
    /// Runs as this assembly's module initializer, that is before any PeftSharp.Training type is used.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "MKL reads the variable once, at its first call: it must be set before any tensor work, which a library cannot otherwise guarantee.")]
    internal static void ConfigureNativeNumerics()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(MklVariable) is not null)
        {
            return;
        }

        _ = SetEnvironment(MklVariable, MklMode, overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
