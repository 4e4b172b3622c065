namespace PeftSharp.Tests;

using System.Runtime.CompilerServices;
using PeftSharp.Training;

/// <summary>
/// Runs PeftSharp.Training's module initializer (MKL reproducibility mode) before any test touches LibTorch, as an
/// application's first use of the runner does; otherwise test order would decide whether reruns are bit-identical.
/// </summary>
internal static class NativeNumericsInitializer
{
    [ModuleInitializer]
    internal static void Initialize() => RuntimeHelpers.RunModuleConstructor(typeof(Reproducibility).Module.ModuleHandle);
}
