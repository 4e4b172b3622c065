namespace PeftSharp.Tests.Data;

using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Parquet.Schema;
using PeftSharp.Data;
using Xunit;

/// <summary>Categories, text, token ids and images mapped to tensors.</summary>
public sealed class DatasetInputTests : IDisposable
{
    private static readonly string[] BertVocab =
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "##s", "dog", "run", "##ning", ".", ","];

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static Batch[] All(ParquetDataset dataset, BatchOptions options)
    {
        using var loader = dataset.OpenBatches(options);
        return loader.ToArray();
    }

    private async Task<string> StringsAsync(string name, string?[] city, string?[] text, long[] label, int groups = 1)
    {
        var path = temp.File(name);
        var cityField = new DataField<string>("city", nullable: true);
        var textField = new DataField<string>("text", nullable: true);
        var labelField = new DataField<long>("label");
        var per = city.Length / groups;
        await TestTables.WriteAsync(path, [cityField, textField, labelField], groups, async (rowGroup, g) =>
        {
            await rowGroup.WriteAsync(cityField, city.Skip(g * per).Take(per).ToArray());
            await rowGroup.WriteAsync(textField, text.Skip(g * per).Take(per).ToArray());
            await rowGroup.WriteAsync(labelField, (ReadOnlyMemory<long>)label.Skip(g * per).Take(per).ToArray());
        });
        return path;
    }

    [Fact]
    public async Task Categories_are_fitted_on_training_rows_with_an_unknown_bucket()
    {
        var cities = Enumerable.Range(0, 40).Select(i => (string?)(i % 4 == 0 ? "paris" : i % 4 == 1 ? "oslo" : i % 4 == 2 ? "rome" : null)).ToArray();
        var path = await StringsAsync("cities.parquet", cities, cities.Select(_ => (string?)"x").ToArray(), new long[40], groups: 4);
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("c", path).Category("city", "city").Label("y", "label", 1));

        var unfitted = () => dataset.OpenBatches(new BatchOptions(8));
        unfitted.Should().Throw<InvalidOperationException>().WithMessage("*'city' has no vocabulary*FitCategoriesAsync*");

        var fitted = await dataset.FitCategoriesAsync(splits: null, DataSplit.All);
        var vocabulary = fitted.Spec.Inputs.OfType<CategoryInput>().Single().Vocabulary!;
        vocabulary.Values.Should().Equal("oslo", "paris", "rome");
        vocabulary.Size.Should().Be(4);
        vocabulary.IndexOf("rome").Should().Be(3);
        vocabulary.IndexOf("lima").Should().Be(CategoryVocabulary.UnknownIndex);

        var batches = All(fitted, new BatchOptions(8));
        var indices = batches.SelectMany(b => b["city"].data<long>().ToArray()).ToArray();
        indices.Take(4).Should().Equal(2, 1, 3, 0);
        Array.ForEach(batches, b => b.Dispose());

        // Rows of other splits never reach the vocabulary: fitting on validation rows only sees those.
        var splits = new SplitSpec(0.5, 0, Seed: 1);
        var onTrain = await dataset.FitCategoriesAsync(splits, DataSplit.Train, minCount: 1);
        onTrain.Spec.Inputs.OfType<CategoryInput>().Single().Vocabulary!.Values.Should().BeSubsetOf(["oslo", "paris", "rome"]);
    }

    [Fact]
    public async Task Bert_text_is_tokenized_truncated_padded_and_masked()
    {
        var vocab = temp.File("vocab.txt");
        await File.WriteAllLinesAsync(vocab, BertVocab);
        var encoder = TextEncoder.ForBert(vocab, maxLength: 6);

        encoder.Encode("The cats sat.").Should().Equal(2, 5, 6, 10, 7, 3);
        encoder.Encode("the dog").Should().Equal(2, 5, 11, 3);
        encoder.Encode("The cat sat on the mat.").Should().Equal(2, 5, 6, 7, 8, 3); // cut to 6, [SEP] kept
        encoder.Encode("zebra").Should().Equal(2, 1, 3);

        var path = await StringsAsync("text.parquet", ["a", "b", "c"], ["the dog", "The cat sat on the mat.", "running"], [0, 1, 0]);
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("t", path).Text("text", "text", encoder).Label("y", "label", 2));
        var batch = All(dataset, new BatchOptions(3)).Single();
        using (batch)
        {
            batch["text"].shape.Should().Equal(3, 6);
            batch["text"].data<long>().ToArray().Should().Equal(
                2, 5, 11, 3, 0, 0,
                2, 5, 6, 7, 8, 3,
                2, 12, 13, 3, 0, 0);
            batch["text.attention_mask"].data<long>().ToArray().Should().Equal(
                1, 1, 1, 1, 0, 0,
                1, 1, 1, 1, 1, 1,
                1, 1, 1, 1, 0, 0);
        }

        var fixedLength = TextEncoder.ForBert(vocab, maxLength: 8, padToMaxLength: true);
        var padded = await ParquetDataset.OpenAsync(new DatasetSpec("t", path).Text("text", "text", fixedLength));
        using var fixedBatch = All(padded, new BatchOptions(2)).First();
        fixedBatch["text"].shape.Should().Equal(2, 8);
    }

    [Fact]
    public async Task Bpe_text_uses_the_merges()
    {
        var vocab = temp.File("vocab.json");
        var merges = temp.File("merges.txt");
        await File.WriteAllTextAsync(vocab, """{"l": 0, "o": 1, "w": 2, "e": 3, "r": 4, "lo": 5, "low": 6, "er": 7, "<unk>": 8, "<pad>": 9}""");
        await File.WriteAllTextAsync(merges, "#version: 0.2\nl o\nlo w\ne r\n");
        var encoder = TextEncoder.ForBpe(vocab, merges, maxLength: 4, paddingId: 9, unknownToken: "<unk>");

        encoder.Encode("lower").Should().Equal(6, 7);
        encoder.Encode("low low low low low").Should().Equal(6, 6, 6, 6);
    }

    [Fact]
    public async Task Text_nulls_are_rejected_with_the_row()
    {
        var vocab = temp.File("vocab.txt");
        await File.WriteAllLinesAsync(vocab, BertVocab);
        var path = await StringsAsync("nulltext.parquet", ["a", "b"], ["the cat", null], [0, 1]);
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("t", path).Text("text", "text", TextEncoder.ForBert(vocab, 8)));

        var validate = () => dataset.ValidateAsync();
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("Column 'text'*is null at row 1*");
    }

    [Fact]
    public async Task Token_id_lists_are_truncated_padded_and_checked()
    {
        var path = temp.File("ids.parquet");
        var ids = new ListField("ids", new DataField<long>("element"));
        await TestTables.WriteAsync(path, [ids], 1, async (rowGroup, _) =>
            await TestTables.WriteListAsync(rowGroup, ids, new long[][] { [5, 6, 7, 8, 9], [4], [1, 2] }));
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("ids", path).TokenIds("ids", "ids", maxLength: 4, paddingId: 0, vocabularySize: 10));

        using (var batch = All(dataset, new BatchOptions(3)).Single())
        {
            batch["ids"].data<long>().ToArray().Should().Equal(5, 6, 7, 8, 4, 0, 0, 0, 1, 2, 0, 0);
            batch["ids.attention_mask"].data<long>().ToArray().Should().Equal(1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0);
        }

        var small = await ParquetDataset.OpenAsync(new DatasetSpec("ids", path).TokenIds("ids", "ids", maxLength: 8, vocabularySize: 6));
        var validate = () => small.ValidateAsync();
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("Token id 6 at row 0*outside the vocabulary (0..5)*");
    }

    [Fact]
    public async Task Encoded_images_are_decoded_and_normalised_to_nchw()
    {
        var path = temp.File("png.parquet");
        var image = new DataField<byte[]>("image");
        var label = new DataField<long>("label");
        // 2x3 RGB: row 0 red, green, blue; row 1 white, black, grey(128).
        byte[][] pixels = [[255, 0, 0, 0, 255, 0, 0, 0, 255], [255, 255, 255, 0, 0, 0, 128, 128, 128]];
        await TestTables.WriteAsync(path, [image, label], 1, async (rowGroup, _) =>
        {
            await rowGroup.WriteAsync(image, new[] { Bmp.Rgb(pixels, 3), Bmp.Rgb(pixels, 3) });
            await rowGroup.WriteAsync(label, (ReadOnlyMemory<long>)new long[] { 0, 1 });
        });
        var format = new ImageFormat(ImageEncoding.Encoded, 3, 2, 3) { Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f] };
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("img", path).Image("image", "image", format).Label("y", "label", 2));
        (await dataset.ValidateAsync())[DataSplit.All].Should().Be(2);

        using var batch = All(dataset, new BatchOptions(2)).Single();
        batch["image"].shape.Should().Equal(2, 3, 2, 3);
        var values = batch["image"].data<float>().ToArray();
        // Channel 0 (red) of image 0: red, green, blue / white, black, grey -> (v/255 - 0.5) / 0.5.
        values.Take(6).Should().Equal(new[] { 1f, -1f, -1f, 1f, -1f, (128f / 255f - 0.5f) / 0.5f }, (a, b) => Math.Abs(a - b) < 1e-6);
        values.Skip(6).Take(3).Should().Equal(new[] { -1f, 1f, -1f }, (a, b) => Math.Abs(a - b) < 1e-6);

        var wrongSize = await ParquetDataset.OpenAsync(new DatasetSpec("img", path).Image("image", "image", new ImageFormat(ImageEncoding.Encoded, 3, 4, 4)));
        var validate = () => wrongSize.ValidateAsync();
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("Image at row 0*is 2x3*declares 4x4*");
    }

    [Fact]
    public async Task Corrupt_image_bytes_are_named()
    {
        var path = temp.File("badpng.parquet");
        var image = new DataField<byte[]>("image");
        await TestTables.WriteAsync(path, [image], 1, async (rowGroup, _) =>
            await rowGroup.WriteAsync(image, new[] { new byte[] { 1, 2, 3, 4 } }));
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("img", path).Image("image", "image", new ImageFormat(ImageEncoding.Encoded, 3, 2, 2)));

        var validate = () => dataset.ValidateAsync();
        (await validate.Should().ThrowAsync<InvalidDataException>()).WithMessage("Image at row 0 of column 'image'*could not be decoded*");
    }

    [Fact]
    public async Task Raw_uint8_and_float_images_with_seeded_flip_and_crop()
    {
        var path = temp.File("raw.parquet");
        var raw = new DataField<byte[]>("raw");
        var floats = new ListField("floats", new DataField<float>("element"));
        var grid = Enumerable.Range(1, 16).Select(v => (byte)v).ToArray();
        await TestTables.WriteAsync(path, [raw, floats], 1, async (rowGroup, _) =>
        {
            await rowGroup.WriteAsync(raw, Enumerable.Repeat(grid, 8).ToArray());
            await TestTables.WriteListAsync(rowGroup, floats, Enumerable.Repeat(grid.Select(v => (float)v).ToArray(), 8).ToArray());
        });
        var flip = new ImageFormat(ImageEncoding.UInt8HeightWidthChannels, 1, 4, 4) { Augmentation = new ImageAugmentation(HorizontalFlipProbability: 1) };
        var crop = new ImageFormat(ImageEncoding.FloatChannelsHeightWidth, 1, 4, 4) { Augmentation = new ImageAugmentation(CropPadding: 1) };
        var dataset = await ParquetDataset.OpenAsync(new DatasetSpec("raw", path).Image("flipped", "raw", flip).Image("cropped", "floats", crop));

        float[] Values(Batch b, string name) => b[name].data<float>().ToArray();
        var plain = All(dataset, new BatchOptions(8)).Single();
        var first = All(dataset, new BatchOptions(8) { Augment = true, Seed = 4 }).Single();
        var again = All(dataset, new BatchOptions(8) { Augment = true, Seed = 4 }).Single();
        var other = All(dataset, new BatchOptions(8) { Augment = true, Seed = 5 }).Single();
        try
        {
            Values(plain, "flipped").Take(16).Should().Equal(grid.Select(v => v / 255f));
            Values(plain, "cropped").Take(16).Should().Equal(grid.Select(v => (float)v));
            Values(first, "flipped").Take(4).Should().Equal(new[] { 4f, 3f, 2f, 1f }.Select(v => v / 255f), "flip probability 1 mirrors each row");

            Values(first, "cropped").Should().Equal(Values(again, "cropped"));
            Values(first, "cropped").Should().NotEqual(Values(other, "cropped"));
            var crops = Values(first, "cropped").Chunk(16).ToArray();
            crops.Should().Contain(c => !c.SequenceEqual(grid.Select(v => (float)v)), "some rows are shifted");
            foreach (var c in crops)
            {
                // Every crop is the image shifted by at most one pixel, with zeros where it left the image.
                var shifted = from dy in new[] { -1, 0, 1 }
                              from dx in new[] { -1, 0, 1 }
                              select Enumerable.Range(0, 16).Select(i =>
                              {
                                  int y = (i / 4) + dy, x = (i % 4) + dx;
                                  return y is >= 0 and < 4 && x is >= 0 and < 4 ? grid[(y * 4) + x] : 0f;
                              }).ToArray();
                shifted.Should().Contain(s => s.SequenceEqual(c));
            }
        }
        finally
        {
            plain.Dispose();
            first.Dispose();
            again.Dispose();
            other.Dispose();
        }
    }
}
