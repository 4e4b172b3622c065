namespace PeftSharp.Tracking.Tests.Fake;

using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

/// <summary>Test options: a fast retry policy so failure tests take milliseconds, not MLflow's minutes.</summary>
public static class FastOptions
{
    public static MlflowRestOptions Rest(string uri, int maxRetries = 3) => new(uri)
    {
        MaxRetries = maxRetries,
        BackoffFactor = TimeSpan.FromMilliseconds(5),
        BackoffJitter = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    public static SpoolOptions Spool(string directory, ConcurrentQueue<string>? log = null) => new()
    {
        Directory = directory,
        RetryInterval = TimeSpan.FromMilliseconds(20),
        MaxRetryInterval = TimeSpan.FromMilliseconds(100),
        FlushTimeout = TimeSpan.FromSeconds(20),
        OfflineFlushTimeout = TimeSpan.FromMilliseconds(300),
        StartupRetries = 0,
        Log = message => log?.Enqueue(message),
    };

    public static async Task<FakeMlflowServer> StartServerAsync(string prefix = "")
    {
        var server = new FakeMlflowServer(prefix);
        await server.StartAsync();
        return server;
    }
}
