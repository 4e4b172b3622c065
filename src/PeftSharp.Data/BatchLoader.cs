namespace PeftSharp.Data;

using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

/// <summary>
/// Batches read ahead by a background task into a bounded queue, so the model does not wait on I/O and memory
/// stays bounded. The producer starts at once. An error while reading (corrupt file, bad value) is rethrown to the
/// consumer at the point it would have received the failing batch. Every <see cref="Batch"/> received is the
/// caller's to dispose; batches still queued when the stream is disposed are disposed by it. Enumerate once.
/// </summary>
public sealed class BatchLoader : IAsyncEnumerable<Batch>, IEnumerable<Batch>, IAsyncDisposable, IDisposable
{
    private readonly Channel<Batch> channel;
    private readonly CancellationTokenSource cancellation = new();
    private readonly Task producer;
    private int enumerated;
    private bool disposed;

    internal BatchLoader(Func<ChannelWriter<Batch>, PipelineStatistics, CancellationToken, Task> produce, int capacity)
    {
        channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Statistics.ObserveQueue(() => channel.Reader.Count);
        var token = cancellation.Token;
        producer = Task.Run(async () =>
        {
            Exception? error = null;
            try
            {
                await produce(channel.Writer, Statistics, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Disposed early by the consumer: not an error.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error = e;
            }
            finally
            {
                channel.Writer.TryComplete(error);
            }
        });
    }

    /// <summary>Counters of this stream (memory held, batches queued, consumer waits).</summary>
    public PipelineStatistics Statistics { get; } = new();

    /// <summary>The next batch, or null at the end. Rethrows a reading error.</summary>
    public async ValueTask<Batch?> NextAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var reader = channel.Reader;
        if (reader.TryRead(out var ready))
        {
            return ready;
        }

        if (!reader.Completion.IsCompleted)
        {
            Statistics.ConsumerWaited();
        }

        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.TryRead(out var batch))
                {
                    return batch;
                }
            }
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }

        // Completed: surface the producer's error, if any.
        await reader.Completion.ConfigureAwait(false);
        return null;
    }

    /// <summary>The next batch, or null at the end, blocking until it is ready.</summary>
    public Batch? Next()
    {
        var next = NextAsync();
        if (next.IsCompleted)
        {
            return next.Result;
        }

        // Block without spinning: Task.Wait spins first, and a spinning consumer takes a core from the producer it
        // waits for.
        var pending = next.AsTask();
        using var ready = new ManualResetEventSlim(initialState: false, spinCount: 0);
        pending.GetAwaiter().UnsafeOnCompleted(ready.Set);
        ready.Wait();
        return pending.GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public async IAsyncEnumerator<Batch> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        EnumerateOnce();
        while (await NextAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            yield return batch;
        }
    }

    /// <inheritdoc />
    public IEnumerator<Batch> GetEnumerator()
    {
        EnumerateOnce();
        return Enumerate();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stops the producer and disposes batches never handed out.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await cancellation.CancelAsync().ConfigureAwait(false);
        await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (channel.Reader.TryRead(out var left))
        {
            left.Dispose();
        }

        cancellation.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private IEnumerator<Batch> Enumerate()
    {
        while (Next() is { } batch)
        {
            yield return batch;
        }
    }

    private void EnumerateOnce()
    {
        if (Interlocked.Exchange(ref enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A batch loader can be enumerated once; open another for the next epoch.");
        }
    }
}
