namespace PeftSharp.Tests.Data;

using System.Linq;
using FluentAssertions;
using PeftSharp.Data;
using Xunit;

public sealed class DataSplitsTests
{
    [Fact]
    public void The_same_seed_gives_the_same_order_and_another_seed_another()
    {
        DataSplits.Shuffle(100, 7).Should().Equal(DataSplits.Shuffle(100, 7));
        DataSplits.Shuffle(100, 7).Should().NotEqual(DataSplits.Shuffle(100, 8));
        DataSplits.Shuffle(100, 7).Order().Should().Equal(Enumerable.Range(0, 100));
    }

    [Fact]
    public void Stratified_splits_never_overlap_cover_every_row_and_keep_class_shares()
    {
        var rows = Enumerable.Range(0, 200).ToArray();
        long Label(int row) => row % 4 == 0 ? 1 : 0;

        var (first, second) = DataSplits.Stratified(rows, Label, 0.75, seed: 3);

        first.Intersect(second).Should().BeEmpty();
        first.Concat(second).Order().Should().Equal(rows);
        first.Count(r => Label(r) == 1).Should().Be(38); // round(50 * 0.75)
        second.Count(r => Label(r) == 1).Should().Be(12);
        DataSplits.Stratified(rows, Label, 0.75, seed: 3).First.Should().Equal(first);
        DataSplits.Stratified(rows, Label, 0.75, seed: 4).First.Should().NotEqual(first);
    }
}
