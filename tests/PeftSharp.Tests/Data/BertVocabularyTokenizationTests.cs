namespace PeftSharp.Tests.Data;

using System.Threading.Tasks;
using FluentAssertions;
using Parquet.Schema;
using PeftSharp.Data;
using PeftSharp.Models.MiniLm;
using Xunit;

/// <summary>
/// Text encoding with the real bert-base-uncased vocabulary that ships with all-MiniLM-L6-v2. The expected ids are
/// the reference tokenizer's (Hugging Face BertTokenizer: lower-casing, accent stripping, punctuation splitting,
/// greedy longest-match WordPiece), worked out independently from the vocabulary file.
/// </summary>
public sealed class BertVocabularyTokenizationTests
{
    private const string Review = "The Café's coffee was TASTY, but unaffable staff!";

    // [CLS] the cafe ' s coffee was ta ##sty , but una ##ffa ##ble staff ! [SEP]
    private static readonly int[] ReviewIds =
        [101, 1996, 7668, 1005, 1055, 4157, 2001, 11937, 21756, 1010, 2021, 14477, 20961, 3468, 3095, 999, 102];

    private static TextEncoder Encoder(int maxLength)
    {
        using var vocabulary = MiniLmL6V2.OpenVocabulary();
        return TextEncoder.ForBert(vocabulary, maxLength);
    }

    [Fact]
    public void Words_split_into_the_reference_wordpieces()
    {
        Encoder(128).Encode(Review).Should().Equal(ReviewIds);
    }

    [Fact]
    public void Long_text_is_truncated_and_still_ends_with_the_separator()
    {
        Encoder(8).Encode(Review).Should().Equal(101, 1996, 7668, 1005, 1055, 4157, 2001, 102);
    }

    [Fact]
    public async Task A_batch_pads_to_its_longest_review_with_a_mask()
    {
        using var temp = new TempDirectory();
        var path = temp.File("reviews.parquet");
        var text = new DataField<string>("review");
        var label = new DataField<long>("label");
        await TestTables.WriteAsync(path, [text, label], 1, async (rowGroup, _) =>
        {
            await rowGroup.WriteAsync(text, new[] { Review, "Hello, world!" });
            await rowGroup.WriteAsync(label, (System.ReadOnlyMemory<long>)new long[] { 1, 0 });
        });
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("reviews", path).Text("text", "review", Encoder(128)).Label("y", "label", 2));

        using var loader = dataset.OpenBatches(new BatchOptions(2));
        using var batch = loader.Next()!;

        batch["text"].shape.Should().Equal(2, ReviewIds.Length);
        batch["text"][0].data<long>().ToArray().Should().Equal(System.Array.ConvertAll(ReviewIds, id => (long)id));
        batch["text"][1].data<long>().ToArray().Should().Equal(101, 7592, 1010, 2088, 999, 102, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        batch["text.attention_mask"][1].sum().item<long>().Should().Be(6);
    }
}
