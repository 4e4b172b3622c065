namespace PeftSharp.Tracking;

using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

/// <summary>
/// Holds a machine-wide named mutex for one <c>mlruns</c> folder: processes that find-or-create experiments in the same
/// store take turns, so workers of a sweep starting together create one experiment of a name, not one each.
/// </summary>
internal sealed class ExperimentCreationLock : IDisposable
{
    private readonly Mutex mutex;

    public ExperimentCreationLock(string rootDirectory, TimeSpan timeout)
    {
        // Mutex names are limited in length and characters: a hash of the absolute folder names it.
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(rootDirectory)))[..32];
        mutex = new Mutex(initiallyOwned: false, $"peftsharp-mlruns-{hash}");
        try
        {
            if (!mutex.WaitOne(timeout))
            {
                mutex.Dispose();
                throw new TrackingException(
                    $"Another process has been creating an experiment in '{rootDirectory}' for over {timeout.TotalSeconds:F0} s; stop the other PeftSharp process, or retry.");
            }
        }
        catch (AbandonedMutexException)
        {
            // A process died holding it; the mutex is ours now and the store's files are written atomically.
        }
    }

    public void Dispose()
    {
        mutex.ReleaseMutex();
        mutex.Dispose();
    }
}
