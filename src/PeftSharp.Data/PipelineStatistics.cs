namespace PeftSharp.Data;

using System;
using System.Threading;

/// <summary>
/// Counters of one batch loader, readable while it runs: how much it holds in memory and whether the consumer
/// ever waited for data. Thread-safe.
/// </summary>
public sealed class PipelineStatistics
{
    private int liveRowGroups;
    private int maxLiveRowGroups;
    private int rowGroupsRead;
    private int maxBufferedRows;
    private long batches;
    private long rows;
    private long consumerWaits;
    private long maxQueued;
    private Func<int>? queueLength;

    /// <summary>Row groups read so far.</summary>
    public int RowGroupsRead => Volatile.Read(ref rowGroupsRead);

    /// <summary>Row groups whose decoded data is held right now.</summary>
    public int LiveRowGroups => Volatile.Read(ref liveRowGroups);

    /// <summary>The most row groups ever held at once: the stream's memory bound, in row groups.</summary>
    public int MaxLiveRowGroups => Volatile.Read(ref maxLiveRowGroups);

    /// <summary>The most rows ever held in the shuffle buffer.</summary>
    public int MaxBufferedRows => Volatile.Read(ref maxBufferedRows);

    /// <summary>Batches produced so far.</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>Rows produced so far.</summary>
    public long Rows => Interlocked.Read(ref rows);

    /// <summary>Times the consumer asked for a batch and none was ready (the model waited on I/O).</summary>
    public long ConsumerWaits => Interlocked.Read(ref consumerWaits);

    /// <summary>The most batches ever ready and waiting for the consumer (the queue's own count, read after each write).</summary>
    public long MaxQueuedBatches => Interlocked.Read(ref maxQueued);

    internal void RowGroupLoaded()
    {
        Interlocked.Increment(ref rowGroupsRead);
        var live = Interlocked.Increment(ref liveRowGroups);
        Max(ref maxLiveRowGroups, live);
    }

    internal void RowGroupReleased() => Interlocked.Decrement(ref liveRowGroups);

    internal void Buffered(int count) => Max(ref maxBufferedRows, count);

    internal void BatchQueued(int rowCount)
    {
        Interlocked.Increment(ref batches);
        Interlocked.Add(ref rows, rowCount);
        // The queue's count, not a counter kept beside it: a counter raced with the consumer (taken but not yet
        // counted down) and could report one batch more than the queue's bound.
        long now = queueLength?.Invoke() ?? 0;
        long seen;
        while (now > (seen = Interlocked.Read(ref maxQueued)) && Interlocked.CompareExchange(ref maxQueued, now, seen) != seen)
        {
        }
    }

    internal void ObserveQueue(Func<int> count) => queueLength = count;

    internal void ConsumerWaited() => Interlocked.Increment(ref consumerWaits);

    private static void Max(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
