namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Parquet;

/// <summary>
/// A dataset of Parquet files opened through a <see cref="DatasetSpec"/>. Opening checks everything that can be
/// checked without reading the data (files, Parquet footers, columns, types, row counts); <see cref="ValidateAsync"/>
/// reads every value (nulls, label range, token ids, image sizes) before training; <see cref="OpenBatches"/> streams
/// row group by row group, never holding the whole file.
/// </summary>
public sealed class ParquetDataset
{
    private readonly FileBinding[] bindings;

    private ParquetDataset(DatasetSpec spec, FileBinding[] bindings, RowGroupInfo[] rowGroups)
    {
        Spec = spec;
        this.bindings = bindings;
        RowGroups = rowGroups;
        RowCount = rowGroups.Sum(g => (long)g.Rows);
    }

    /// <summary>The declaration.</summary>
    public DatasetSpec Spec { get; }

    /// <summary>Every row group, in file order.</summary>
    public IReadOnlyList<RowGroupInfo> RowGroups { get; }

    /// <summary>The number of rows across all files.</summary>
    public long RowCount { get; }

    /// <summary>Opens and checks the dataset's files and columns (not yet the values).</summary>
    /// <param name="spec">The declaration.</param>
    /// <param name="splitKeyColumn">A column that <see cref="SplitSpec.KeyColumn"/> will name, checked here too.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not Parquet, a column is missing or mistyped, or there are no rows.</exception>
    public static async Task<ParquetDataset> OpenAsync(DatasetSpec spec, string? splitKeyColumn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var bindings = new FileBinding[spec.Files.Count];
        var groups = new List<RowGroupInfo>();
        long firstRow = 0;
        for (var f = 0; f < spec.Files.Count; f++)
        {
            var path = spec.Files[f];
            var reader = await OpenReaderAsync(path, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                bindings[f] = FileBinding.Bind(path, reader.Schema, spec.Inputs, splitKeyColumn);
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rowGroup = reader.OpenRowGroupReader(g);
                    var rows = checked((int)rowGroup.RowCount);
                    if (rows == 0)
                    {
                        continue;
                    }

                    groups.Add(new RowGroupInfo(path, f, g, rows, firstRow));
                    firstRow += rows;
                }
            }
        }

        if (firstRow == 0)
        {
            throw new InvalidDataException(
                $"Dataset '{spec.Name}' has no rows ({string.Join(", ", spec.Files)}); a dataset needs at least one.");
        }

        return new ParquetDataset(spec, bindings, groups.ToArray());
    }

    /// <summary>
    /// Reads every row once and checks every value, so bad data fails before training;
    /// returns the number of rows per split.
    /// </summary>
    /// <exception cref="InvalidDataException">The first bad value, named by column, file and row; or a split that is empty.</exception>
    public async Task<IReadOnlyDictionary<DataSplit, long>> ValidateAsync(SplitSpec? splits = null, CancellationToken cancellationToken = default)
    {
        splits?.Validate();
        var counts = new Dictionary<DataSplit, long> { [DataSplit.Train] = 0, [DataSplit.Validation] = 0, [DataSplit.Test] = 0, [DataSplit.All] = 0 };
        await ForEachBlockAsync(null, DataSplit.All, checkImages: true, (block, _) =>
        {
            foreach (var id in block.RowIds)
            {
                counts[DataSplit.All]++;
                if (splits is not null)
                {
                    counts[splits.AssignRow(id)]++;
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        if (splits is not null)
        {
            // Rows keyed by a column need their key hashes, which AssignRow cannot see: recount by reading split by split.
            if (splits.KeyColumn is not null)
            {
                foreach (var split in new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test })
                {
                    long count = 0;
                    await ForEachBlockAsync(splits, split, checkImages: false, (block, _) => count += block.Count, cancellationToken).ConfigureAwait(false);
                    counts[split] = count;
                }
            }

            foreach (var (split, fraction) in new[] { (DataSplit.Train, 1 - splits.Validation - splits.Test), (DataSplit.Validation, splits.Validation), (DataSplit.Test, splits.Test) })
            {
                if (fraction > 0 && counts[split] == 0)
                {
                    throw new InvalidDataException(
                        $"The {split} split of dataset '{Spec.Name}' is empty ({RowCount} rows, fraction {fraction}); use more data or another fraction.");
                }
            }
        }

        return counts;
    }

    /// <summary>
    /// Fits the vocabulary of every category input that has none on the rows of <paramref name="split"/> (normally
    /// the training split, so no information from evaluation rows leaks in), streaming, and returns a dataset that
    /// uses them.
    /// </summary>
    public async Task<ParquetDataset> FitCategoriesAsync(SplitSpec? splits, DataSplit split = DataSplit.Train, long minCount = 1, CancellationToken cancellationToken = default)
    {
        var targets = Spec.Inputs.Select((input, index) => (input, index)).Where(p => p.input is CategoryInput { Vocabulary: null }).ToArray();
        if (targets.Length == 0)
        {
            return this;
        }

        var counts = targets.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        await ForEachBlockAsync(splits, split, checkImages: false, (block, _) =>
        {
            for (var t = 0; t < targets.Length; t++)
            {
                foreach (var value in (string?[])block.Payloads[targets[t].index])
                {
                    if (value is not null)
                    {
                        counts[t][value] = counts[t].GetValueOrDefault(value) + 1;
                    }
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        var inputs = Spec.Inputs.ToArray();
        for (var t = 0; t < targets.Length; t++)
        {
            inputs[targets[t].index] = ((CategoryInput)targets[t].input) with { Vocabulary = CategoryVocabulary.FromCounts(counts[t], minCount) };
        }

        return new ParquetDataset(Spec with { Inputs = inputs }, bindings, RowGroups.ToArray());
    }

    /// <summary>Starts streaming batches (the background reader starts at once). Dispose the stream when done.</summary>
    public BatchLoader OpenBatches(BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var missing = Spec.Inputs.OfType<CategoryInput>().FirstOrDefault(c => c.Vocabulary is null);
        if (missing is not null)
        {
            throw new InvalidOperationException($"Category input '{missing.Name}' has no vocabulary; call FitCategoriesAsync on the training split first.");
        }

        if (options.Splits?.KeyColumn is { } key && bindings.Any(b => b.KeyField is null))
        {
            throw new InvalidOperationException($"Split key column '{key}' was not checked when the dataset was opened; pass it to OpenAsync.");
        }

        return new BatchLoader((writer, statistics, token) => ProduceAsync(writer, options, statistics, token), options.PrefetchBatches);
    }

    /// <summary>The MLflow dataset input of this dataset: content digest, source, schema and profile.</summary>
    public Task<DatasetRecord> DescribeAsync(CancellationToken cancellationToken = default) =>
        DatasetRecord.ComputeAsync(this, bindings, cancellationToken);

    private static async Task<ParquetReader> OpenReaderAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Dataset file '{path}' does not exist. Check the path, or import the data first (import --input ... --output ...).", path);
        }

        try
        {
            return await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException($"'{path}' is not a readable Parquet file ({e.Message}). Recreate it from its source.", e);
        }
    }

    private async Task ForEachBlockAsync(SplitSpec? splits, DataSplit split, bool checkImages, Action<RowBlock, RowGroupInfo> visit, CancellationToken cancellationToken)
    {
        var readers = new Dictionary<int, ParquetReader>();
        try
        {
            foreach (var group in RowGroups)
            {
                var reader = await ReaderFor(readers, group, cancellationToken).ConfigureAwait(false);
                var block = await BlockReader.ReadAsync(reader, bindings[group.FileIndex], group, Spec.Inputs, splits, split, cancellationToken).ConfigureAwait(false);
                if (checkImages)
                {
                    CheckImages(block, group);
                }

                visit(block, group);
            }
        }
        finally
        {
            foreach (var reader in readers.Values)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void CheckImages(RowBlock block, RowGroupInfo group)
    {
        for (var p = 0; p < Spec.Inputs.Count; p++)
        {
            if (Spec.Inputs[p] is ImageInput { Format.Encoding: ImageEncoding.Encoded } image)
            {
                var column = (byte[][])block.Payloads[p];
                for (var i = 0; i < column.Length; i++)
                {
                    try
                    {
                        ImageProcessor.Decode(column[i], image.Format.Channels, image.Format.Height, image.Format.Width);
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"Image at row {block.RowIds[i]} of column '{image.Column}' in '{group.File}': {e.Message}", e);
                    }
                }
            }
        }
    }

    private static async Task<ParquetReader> ReaderFor(Dictionary<int, ParquetReader> readers, RowGroupInfo group, CancellationToken cancellationToken)
    {
        if (!readers.TryGetValue(group.FileIndex, out var reader))
        {
            reader = await OpenReaderAsync(group.File, cancellationToken).ConfigureAwait(false);
            readers.Add(group.FileIndex, reader);
        }

        return reader;
    }

    // The producer: row groups in (seeded) order, rows through the (seeded) shuffle buffer, batches into the queue.
    // It runs on one task and draws every random number in a fixed sequence, so the order never depends on timing.
    private async Task ProduceAsync(ChannelWriter<Batch> writer, BatchOptions options, PipelineStatistics statistics, CancellationToken cancellationToken)
    {
        var order = RowGroups.ToArray();
        var random = new DeterministicRandom(StableHash.Combine(options.Seed, options.Epoch, 0x5EED));
        if (options.Shuffle)
        {
            random.Shuffle(order);
        }

        var pending = new List<(RowBlock Block, int Index)>(options.BatchSize);
        var buffer = options.Shuffle ? new List<(RowBlock Block, int Index)>(Math.Min(options.ShuffleBufferRows, 1 << 16)) : null;
        long produced = 0;
        var liveBlocks = new Dictionary<RowBlock, int>(ReferenceEqualityComparer.Instance);

        async Task EmitAsync((RowBlock Block, int Index) row, bool flush)
        {
            if (row.Block is not null)
            {
                pending.Add(row);
            }

            if (pending.Count == options.BatchSize || (flush && pending.Count > 0 && !options.DropLast))
            {
                var batch = Collator.Collate(Spec.Inputs, pending, options);
                produced += batch.Count;
                for (var i = 0; i < pending.Count;)
                {
                    var block = pending[i].Block;
                    var run = 1;
                    while (i + run < pending.Count && ReferenceEquals(pending[i + run].Block, block))
                    {
                        run++;
                    }

                    i += run;
                    if (liveBlocks.TryGetValue(block, out var left))
                    {
                        if (left == run)
                        {
                            liveBlocks.Remove(block);
                            statistics.RowGroupReleased();
                        }
                        else
                        {
                            liveBlocks[block] = left - run;
                        }
                    }
                }

                pending.Clear();
                try
                {
                    await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    batch.Dispose();
                    throw;
                }

                statistics.BatchQueued(batch.Count);
            }
        }

        var readers = new Dictionary<int, ParquetReader>();
        var remaining = new Dictionary<RowBlock, int>(ReferenceEqualityComparer.Instance);
        var compacted = new HashSet<RowBlock>(ReferenceEqualityComparer.Instance);

        // Read-ahead: the next row group is decoded on another task while this one is collated, so reading and
        // collating overlap. Only one read is in flight at a time, so one reader per file suffices.
        Task<RowBlock> Load(int position) => Task.Run(async () =>
        {
            var group = order[position];
            var reader = await ReaderFor(readers, group, cancellationToken).ConfigureAwait(false);
            var block = await BlockReader.ReadAsync(
                reader, bindings[group.FileIndex], group, Spec.Inputs, options.Splits, options.Split, cancellationToken).ConfigureAwait(false);
            if (block.Count > 0)
            {
                statistics.RowGroupLoaded();
            }

            return block;
        }, cancellationToken);

        Task<RowBlock>? next = order.Length > 0 ? Load(0) : null;
        try
        {
            for (var position = 0; position < order.Length; position++)
            {
                var block = await next!.ConfigureAwait(false);
                next = position + 1 < order.Length ? Load(position + 1) : null;
                if (block.Count == 0)
                {
                    continue;
                }

                if (buffer is null)
                {
                    liveBlocks[block] = block.Count;
                    for (var i = 0; i < block.Count;)
                    {
                        var take = Math.Min(options.BatchSize - pending.Count, block.Count - i);
                        for (var k = 0; k < take; k++)
                        {
                            pending.Add((block, i + k));
                        }

                        i += take;
                        await EmitAsync(default, flush: false).ConfigureAwait(false);
                    }

                    continue;
                }

                remaining[block] = block.Count;
                for (var i = 0; i < block.Count; i++)
                {
                    buffer.Add((block, i));
                    statistics.Buffered(buffer.Count);
                    if (buffer.Count >= options.ShuffleBufferRows)
                    {
                        await EmitAsync(DrawShuffled(), flush: false).ConfigureAwait(false);
                    }
                }
            }

            while (buffer is { Count: > 0 })
            {
                await EmitAsync(DrawShuffled(), flush: false).ConfigureAwait(false);
            }

            await EmitAsync(default, flush: true).ConfigureAwait(false);
            if (produced == 0 && pending.Count == 0)
            {
                throw new InvalidDataException(
                    $"The {options.Split} split of dataset '{Spec.Name}' has no rows{(options.DropLast ? $" (or fewer than one batch of {options.BatchSize} with DropLast)" : string.Empty)}.");
            }
        }
        finally
        {
            if (next is not null)
            {
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            foreach (var reader in readers.Values)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }

        // Draws a random buffered row. A row group with half of its rows drawn is compacted: its remaining rows are
        // copied into a small block and the group is freed, so stragglers never pin whole row groups. Memory stays
        // bounded by a few row groups plus the buffer, whatever the file size.
        (RowBlock Block, int Index) DrawShuffled()
        {
            var row = Draw(buffer!, random);
            var left = remaining[row.Block] - 1;
            if (left == 0)
            {
                remaining.Remove(row.Block);
                if (!compacted.Remove(row.Block))
                {
                    statistics.RowGroupReleased();
                }
            }
            else if (!compacted.Contains(row.Block) && left < Math.Max(1, row.Block.Count / 2))
            {
                remaining[row.Block] = left;
                Compact(row.Block);
            }
            else
            {
                remaining[row.Block] = left;
            }

            return row;
        }

        void Compact(RowBlock block)
        {
            var positions = new List<int>();
            var indices = new List<int>();
            for (var k = 0; k < buffer!.Count; k++)
            {
                if (ReferenceEquals(buffer[k].Block, block))
                {
                    positions.Add(k);
                    indices.Add(buffer[k].Index);
                }
            }

            var small = block.Take(indices.ToArray());
            for (var k = 0; k < positions.Count; k++)
            {
                buffer[positions[k]] = (small, k);
            }

            remaining.Remove(block);
            remaining[small] = small.Count;
            compacted.Add(small);
            statistics.RowGroupReleased();
        }
    }

    private static (RowBlock Block, int Index) Draw(List<(RowBlock Block, int Index)> buffer, DeterministicRandom random)
    {
        var j = random.NextInt(buffer.Count);
        var row = buffer[j];
        buffer[j] = buffer[^1];
        buffer.RemoveAt(buffer.Count - 1);
        return row;
    }
}
