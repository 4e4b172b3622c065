namespace PeftSharp.Tests.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Parquet.Schema;
using PeftSharp.Data;
using Xunit;

public sealed class ParquetDatasetTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private async Task<ParquetDataset> NumericAsync(int groups = 10, int rowsPerGroup = 20, string? key = null)
    {
        var path = temp.File($"numeric-{groups}-{rowsPerGroup}.parquet");
        if (!File.Exists(path))
        {
            await TestTables.WriteNumericAsync(path, groups, rowsPerGroup);
        }

        return await ParquetDataset.OpenAsync(new DatasetSpec("numeric", path).Numbers("x", "a", "b", "c").Label("y", "label", 3), key);
    }

    private static List<long> RowOrder(ParquetDataset dataset, BatchOptions options)
    {
        using var loader = dataset.OpenBatches(options);
        var rows = new List<long>();
        foreach (var batch in loader)
        {
            using (batch)
            {
                rows.AddRange(batch.RowIds);
            }
        }

        return rows;
    }

    [Fact]
    public async Task Batches_carry_the_mapped_columns_in_order()
    {
        var dataset = await NumericAsync();
        dataset.RowCount.Should().Be(200);
        dataset.RowGroups.Should().HaveCount(10);

        using var loader = dataset.OpenBatches(new BatchOptions(32));
        var batches = loader.ToList();
        try
        {
            batches.Select(b => b.Count).Should().Equal(32, 32, 32, 32, 32, 32, 8);
            var second = batches[1];
            second["x"].shape.Should().Equal(32, 3);
            second["x"].dtype.Should().Be(TorchSharp.torch.ScalarType.Float32);
            second["y"].dtype.Should().Be(TorchSharp.torch.ScalarType.Int64);
            var x = second["x"].data<float>().ToArray();
            var y = second["y"].data<long>().ToArray();
            for (var i = 0; i < 32; i++)
            {
                var row = 32 + i;
                second.RowIds[i].Should().Be(row);
                x[(i * 3) + 0].Should().Be(row);
                x[(i * 3) + 1].Should().Be(row / 2f);
                x[(i * 3) + 2].Should().Be(-row);
                y[i].Should().Be(row % 3);
            }
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task Same_seed_gives_the_same_order_and_another_seed_another()
    {
        var dataset = await NumericAsync();
        var options = new BatchOptions(16) { Shuffle = true, Seed = 7, ShuffleBufferRows = 50 };

        var first = RowOrder(dataset, options);
        var again = RowOrder(dataset, options);
        var otherSeed = RowOrder(dataset, options with { Seed = 8 });
        var nextEpoch = RowOrder(dataset, options with { Epoch = 1 });

        first.Should().Equal(again);
        first.Should().NotEqual(otherSeed);
        first.Should().NotEqual(nextEpoch);
        first.Should().NotEqual(Enumerable.Range(0, 200).Select(i => (long)i));
        first.Order().Should().Equal(Enumerable.Range(0, 200).Select(i => (long)i), "every row appears exactly once per epoch");
        otherSeed.Order().Should().Equal(first.Order());
    }

    [Fact]
    public async Task The_order_does_not_depend_on_prefetch_depth_or_consumer_speed()
    {
        var dataset = await NumericAsync();
        var options = new BatchOptions(16) { Shuffle = true, Seed = 3, ShuffleBufferRows = 40 };
        var fast = RowOrder(dataset, options with { PrefetchBatches = 1 });

        using var loader = dataset.OpenBatches(options with { PrefetchBatches = 8 });
        var slow = new List<long>();
        foreach (var batch in loader)
        {
            using (batch)
            {
                Thread.Sleep(2);
                slow.AddRange(batch.RowIds);
            }
        }

        slow.Should().Equal(fast);
    }

    [Fact]
    public async Task Splits_never_overlap_cover_every_row_and_repeat()
    {
        var dataset = await NumericAsync(groups: 20, rowsPerGroup: 50);
        var splits = new SplitSpec(Validation: 0.2, Test: 0.1, Seed: 11);

        var train = RowOrder(dataset, new BatchOptions(64) { Split = DataSplit.Train, Splits = splits, Shuffle = true, Seed = 1 });
        var validation = RowOrder(dataset, new BatchOptions(64) { Split = DataSplit.Validation, Splits = splits });
        var test = RowOrder(dataset, new BatchOptions(64) { Split = DataSplit.Test, Splits = splits });

        train.Intersect(validation).Should().BeEmpty();
        train.Intersect(test).Should().BeEmpty();
        validation.Intersect(test).Should().BeEmpty();
        train.Concat(validation).Concat(test).Order().Should().Equal(Enumerable.Range(0, 1000).Select(i => (long)i));
        validation.Count.Should().BeInRange(150, 250);
        test.Count.Should().BeInRange(60, 140);

        RowOrder(dataset, new BatchOptions(64) { Split = DataSplit.Validation, Splits = splits }).Should().Equal(validation);
        RowOrder(dataset, new BatchOptions(64) { Split = DataSplit.Validation, Splits = splits with { Seed = 12 } }).Should().NotEqual(validation);

        var counts = await dataset.ValidateAsync(splits);
        counts[DataSplit.Train].Should().Be(train.Count);
        counts[DataSplit.Validation].Should().Be(validation.Count);
        counts[DataSplit.Test].Should().Be(test.Count);
    }

    [Fact]
    public async Task Splitting_by_a_key_column_keeps_each_key_in_one_split()
    {
        var dataset = await NumericAsync(groups: 10, rowsPerGroup: 50, key: "key");
        var splits = new SplitSpec(0.3, 0.2, Seed: 5, KeyColumn: "key");
        var keyOf = (long row) => row % 37;

        var seen = new Dictionary<long, DataSplit>();
        foreach (var split in new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test })
        {
            foreach (var row in RowOrder(dataset, new BatchOptions(100) { Split = split, Splits = splits }))
            {
                seen.TryGetValue(keyOf(row), out var previous).Should().Be(seen.ContainsKey(keyOf(row)));
                if (seen.ContainsKey(keyOf(row)))
                {
                    previous.Should().Be(split, $"key {keyOf(row)} must stay in one split");
                }

                seen[keyOf(row)] = split;
            }
        }

        seen.Values.Distinct().Should().HaveCount(3);
    }

    [Fact]
    public async Task Streaming_holds_at_most_one_or_two_row_groups_and_the_shuffle_buffer()
    {
        var dataset = await NumericAsync(groups: 50, rowsPerGroup: 20);

        using (var sequential = dataset.OpenBatches(new BatchOptions(16) { PrefetchBatches = 2 }))
        {
            foreach (var batch in sequential)
            {
                batch.Dispose();
            }

            sequential.Statistics.RowGroupsRead.Should().Be(50);
            sequential.Statistics.MaxLiveRowGroups.Should().BeLessThanOrEqualTo(3, "a batch spans at most two row groups, plus one read ahead");
            sequential.Statistics.Rows.Should().Be(1000);
        }

        using var shuffled = dataset.OpenBatches(new BatchOptions(16) { Shuffle = true, Seed = 1, ShuffleBufferRows = 30, PrefetchBatches = 2 });
        foreach (var batch in shuffled)
        {
            batch.Dispose();
        }

        shuffled.Statistics.RowGroupsRead.Should().Be(50);
        shuffled.Statistics.MaxLiveRowGroups.Should().BeLessThanOrEqualTo(4, "mostly drawn groups are compacted and freed, whatever the file size");
        shuffled.Statistics.MaxBufferedRows.Should().BeLessThanOrEqualTo(30);
        shuffled.Statistics.MaxQueuedBatches.Should().BeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task Prefetch_fills_the_queue_while_the_model_works_so_it_never_waits()
    {
        var dataset = await NumericAsync(groups: 10, rowsPerGroup: 20);
        using var loader = dataset.OpenBatches(new BatchOptions(10) { PrefetchBatches = 4 });

        // Give the producer a head start (as a model's first step would), then consume slowly.
        await Task.Delay(300);
        loader.Statistics.MaxQueuedBatches.Should().Be(4, "the producer reads ahead up to the queue bound, no further");
        var count = 0;
        while (await loader.NextAsync() is { } batch)
        {
            using (batch)
            {
                await Task.Delay(15);
                count++;
            }
        }

        count.Should().Be(20);
        loader.Statistics.ConsumerWaits.Should().Be(0);
    }

    [Fact]
    public async Task A_reading_error_surfaces_on_the_consumer_after_the_good_batches()
    {
        var path = temp.File("bad-label.parquet");
        var x = new DataField<double>("x");
        var label = new DataField<long>("label");
        await TestTables.WriteAsync(path, [x, label], 3, async (rowGroup, g) =>
        {
            await rowGroup.WriteAsync(x, (ReadOnlyMemory<double>)new double[] { 1, 2, 3, 4 });
            await rowGroup.WriteAsync(label, (ReadOnlyMemory<long>)(g == 2 ? new long[] { 0, 1, 5, 1 } : new long[] { 0, 1, 0, 1 }));
        });
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("bad", path).Numbers("x", "x").Label("y", "label", 2));

        using var loader = dataset.OpenBatches(new BatchOptions(4));
        var received = 0;
        var consume = async () =>
        {
            while (await loader.NextAsync() is { } batch)
            {
                batch.Dispose();
                received++;
            }
        };

        (await consume.Should().ThrowAsync<InvalidDataException>()).WithMessage("*label*has 5 at row 10*0..1 for 2 classes*");
        received.Should().Be(2);
        var validate = () => dataset.ValidateAsync();
        await validate.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task Disposing_early_stops_the_producer_and_taken_tensors_stay_valid()
    {
        var dataset = await NumericAsync(groups: 10, rowsPerGroup: 20);
        TorchSharp.torch.Tensor kept;
        var loader = dataset.OpenBatches(new BatchOptions(10) { PrefetchBatches = 3 });
        using (var batch = (await loader.NextAsync())!)
        {
            kept = batch.Take("x");
            var access = () => batch["x"];
            access.Should().Throw<KeyNotFoundException>().WithMessage("*no tensor 'x'*Tensors: y*");
        }

        await loader.DisposeAsync();
        await loader.DisposeAsync();
        using (kept)
        {
            kept.shape.Should().Equal(10, 3);
            kept.data<float>()[3].Should().Be(1f);
        }

        var reuse = async () => await loader.NextAsync();
        await reuse.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task Drop_last_drops_the_short_batch()
    {
        var dataset = await NumericAsync();
        RowOrder(dataset, new BatchOptions(32) { DropLast = true }).Should().HaveCount(192);
    }

    [Fact]
    public async Task Several_files_read_as_one_table_with_global_row_numbers()
    {
        var first = temp.File("part-0.parquet");
        var second = temp.File("part-1.parquet");
        await TestTables.WriteNumericAsync(first, 2, 5);
        await TestTables.WriteNumericAsync(second, 3, 5);
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("parts", first, second).Numbers("x", "a").Label("y", "label", 3));

        dataset.RowCount.Should().Be(25);
        dataset.RowGroups.Select(g => (g.FileIndex, g.Index, g.FirstRow)).Should().Equal((0, 0, 0L), (0, 1, 5L), (1, 0, 10L), (1, 1, 15L), (1, 2, 20L));
        RowOrder(dataset, new BatchOptions(7) { Shuffle = true, Seed = 2 }).Order().Should().Equal(Enumerable.Range(0, 25).Select(i => (long)i));
    }
}
