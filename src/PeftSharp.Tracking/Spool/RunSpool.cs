namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;

/// <summary>
/// One run's spool folder: an append-only journal of operations (<c>journal.jsonl</c>, one JSON object per line,
/// numbered), the delivery state (<c>state.json</c>, replaced atomically), rejected records (<c>rejected.jsonl</c>),
/// copies of artifacts (<c>blobs/</c>) and the staging folder for artifacts written by the run (<c>artifacts/</c>).
/// A <c>.lock</c> file held open marks the spool as owned by a live process.
/// </summary>
internal sealed class RunSpool : IDisposable
{
    public const string JournalFile = "journal.jsonl";
    public const string StateFile = "state.json";
    public const string RejectedFile = "rejected.jsonl";
    public const string LockFile = ".lock";

    // _gate guards the journal writer (the training thread's appends); _stateGate the delivery state and read
    // position (the delivery task). Reading the journal takes neither: it opens its own stream and stops at the last
    // complete line, so delivery never makes training wait.
    private readonly Lock _gate = new();
    private readonly Lock _stateGate = new();
    private readonly FileStream _lock;
    private readonly FileStream _journal;
    private long _lastSeq;
    private long _readOffset;
    private long _readSeq;
    private bool _disposed;

    private RunSpool(string directory, FileStream lockStream)
    {
        Directory = directory;
        SpoolId = Path.GetFileName(directory);
        _lock = lockStream;
        State = ReadState(directory);
        _journal = new FileStream(Path.Combine(directory, JournalFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        RecoverJournal();
    }

    public string Directory { get; }

    public string SpoolId { get; }

    public SpoolState State { get; private set; }

    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _lastSeq;
            }
        }
    }

    public bool IsCaughtUp => State.AckedSeq >= LastSeq;

    public static RunSpool Create(string root, string serverUri)
    {
        string directory = Path.Combine(root, Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var spool = new RunSpool(directory, AcquireLock(directory) ?? throw new IOException($"Cannot lock the new spool '{directory}'."));
        spool.SaveState(new SpoolState { ServerUri = serverUri });
        return spool;
    }

    /// <summary>Opens an existing spool, or returns null when another process holds it.</summary>
    public static RunSpool? TryOpen(string directory)
    {
        var lockStream = AcquireLock(directory);
        return lockStream is null ? null : new RunSpool(directory, lockStream);
    }

    public long Append(Func<long, SpoolRecord> create)
    {
        lock (_gate)
        {
            long seq = _lastSeq + 1;
            byte[] line = create(seq).ToJsonLine();
            _journal.Seek(0, SeekOrigin.End);
            _journal.Write(line);

            // Into the operating system's cache at once, so a crash of this process loses nothing; fsync at the end.
            _journal.Flush(flushToDisk: false);
            _lastSeq = seq;
            return seq;
        }
    }

    public void Sync()
    {
        lock (_gate)
        {
            _journal.Flush(flushToDisk: true);
        }
    }

    /// <summary>Reads pending records (after <see cref="SpoolState.AckedSeq"/>) in order, at most about <paramref name="maxMetrics"/> points.</summary>
    public List<SpoolRecord> ReadPending(int maxMetrics, long atLeastThrough)
    {
        var records = new List<SpoolRecord>();
        lock (_stateGate)
        {
            if (_readSeq != State.AckedSeq)
            {
                // The acknowledged position moved without us (first call): find it from the start.
                _readOffset = 0;
                _readSeq = 0;
                foreach (var (record, end) in ReadFrom(0))
                {
                    if (record.Seq > State.AckedSeq)
                    {
                        break;
                    }

                    _readOffset = end;
                    _readSeq = record.Seq;
                }
            }

            int metrics = 0;
            foreach (var (record, _) in ReadFrom(_readOffset))
            {
                if (records.Count != 0 && metrics + record.Metrics.Count > maxMetrics && records[^1].Seq >= atLeastThrough)
                {
                    break;
                }

                records.Add(record);
                metrics += record.Metrics.Count;
            }
        }

        return records;
    }

    /// <summary>Every metric point of <paramref name="key"/> in records numbered below <paramref name="beforeSeq"/>.</summary>
    public IEnumerable<Metric> PointsBefore(string key, long beforeSeq)
    {
        {
            var points = new List<Metric>();
            foreach (var (record, _) in ReadFrom(0))
            {
                if (record.Seq >= beforeSeq)
                {
                    break;
                }

                points.AddRange(record.Metrics.Where(m => m.Key == key));
            }

            return points;
        }
    }

    public void Acknowledge(long seq, Action<SpoolState>? change = null)
    {
        lock (_stateGate)
        {
            var state = State.Clone();
            state.AckedSeq = Math.Max(state.AckedSeq, seq);
            change?.Invoke(state);
            SaveState(state);
            foreach (var (record, end) in ReadFrom(_readOffset))
            {
                if (record.Seq > state.AckedSeq)
                {
                    break;
                }

                _readOffset = end;
                _readSeq = record.Seq;
            }
        }
    }

    public void Update(Action<SpoolState> change)
    {
        lock (_stateGate)
        {
            var state = State.Clone();
            change(state);
            SaveState(state);
        }
    }

    public void Reject(IEnumerable<SpoolRecord> records, string reason)
    {
        lock (_stateGate)
        {
            using var rejected = new FileStream(Path.Combine(Directory, RejectedFile), FileMode.Append, FileAccess.Write, FileShare.Read);
            foreach (var record in records)
            {
                rejected.Write(record.ToJsonLine());
            }

            byte[] note = MlflowJson.Write(w => w.WriteString("rejected_because", reason));
            rejected.Write(note);
            rejected.WriteByte((byte)'\n');
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _journal.Flush(flushToDisk: true);
            _journal.Dispose();
            _lock.Dispose();
        }
    }

    private static FileStream? AcquireLock(string directory)
    {
        try
        {
            return new FileStream(Path.Combine(directory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static SpoolState ReadState(string directory)
    {
        string path = Path.Combine(directory, StateFile);
        if (!File.Exists(path))
        {
            return new SpoolState();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), SpoolStateContext.Default.SpoolState)
                ?? throw new InvalidDataException($"The spool state '{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The spool state '{path}' is not valid JSON: {e.Message}", e);
        }
    }

    private void SaveState(SpoolState state)
    {
        AtomicFile.WriteAllText(Path.Combine(Directory, StateFile), JsonSerializer.Serialize(state, SpoolStateContext.Default.SpoolState), Directory);
        State = state;
    }

    private void RecoverJournal()
    {
        // A crash can leave a last line without its newline: it was never acknowledged to the caller as spooled
        // beyond the process, so cut it off rather than fail to read the journal.
        long validEnd = 0;
        long last = 0;
        foreach (var (record, end) in ReadFrom(0))
        {
            validEnd = end;
            last = record.Seq;
        }

        if (_journal.Length != validEnd)
        {
            _journal.SetLength(validEnd);
        }

        _lastSeq = last;
    }

    private IEnumerable<(SpoolRecord Record, long End)> ReadFrom(long offset)
    {
        using var reader = new FileStream(Path.Combine(Directory, JournalFile), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        reader.Seek(offset, SeekOrigin.Begin);
        var line = new MemoryStream();
        long position = offset;
        int b;
        while ((b = reader.ReadByte()) >= 0)
        {
            position++;
            if (b != '\n')
            {
                line.WriteByte((byte)b);
                continue;
            }

            SpoolRecord record;
            try
            {
                record = SpoolRecord.Parse(line.GetBuffer().AsSpan(0, (int)line.Length));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidDataException)
            {
                throw new InvalidDataException($"Corrupt spool journal '{Path.Combine(Directory, JournalFile)}' at byte {position - line.Length - 1}: {e.Message}", e);
            }

            line.SetLength(0);
            yield return (record, position);
        }
    }
}
