namespace PeftSharp.Tracking;

using System;
using System.IO;
using System.Text;

/// <summary>
/// Replaces files in one rename so a concurrent reader (MLflow's UI, another process) never sees a half-written
/// file: MLflow's reader only retries briefly on an empty <c>meta.yaml</c>.
/// </summary>
internal static class AtomicFile
{
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes through a temporary file in <paramref name="tempDirectory"/>, which must be on the same volume.</summary>
    public static void WriteAllText(string path, string contents, string tempDirectory)
    {
        string temp = Path.Combine(tempDirectory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllText(temp, contents, Utf8);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            // Leave no temporary file behind; the exception itself still reaches the caller.
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure matters more than a stray temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
