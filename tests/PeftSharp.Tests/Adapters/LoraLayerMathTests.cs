namespace PeftSharp.Tests.Adapters;

using System;
using FluentAssertions;
using PeftSharp.IA3;
using PeftSharp.Lora;
using PeftSharp.Tuners;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

/// <summary>Each layer type and method against an independent float64 computation of the reference formulas.</summary>
public sealed class LoraLayerMathTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(LoraInit.Default, false, false)]
    [InlineData(LoraInit.Gaussian, false, false)]
    [InlineData(LoraInit.Default, true, false)]
    [InlineData(LoraInit.Default, false, true)]
    [InlineData(LoraInit.Gaussian, true, true)]
    public void A_fresh_linear_adapter_leaves_the_output_unchanged(LoraInit init, bool rsLora, bool dora)
    {
        manual_seed(11);
        using var baseLayer = nn.Linear(12, 7);
        using var input = randn(5, 12);
        using var expected = baseLayer.forward(input);

        using var lora = new LoraLinear(baseLayer, new LoraSettings(4, 8) { Init = init, UseRsLora = rsLora, UseDora = dora });
        using var actual = lora.forward(input);

        Reference.RelativeError(actual, expected).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Dora_on_conv2d_merges_to_the_unmerged_output_and_unmerges_to_the_original_weight()
    {
        manual_seed(21);
        using var conv = nn.Conv2d(3, 5, 3, padding: 1);
        using var original = conv.weight.detach().clone();
        using var image = randn(2, 3, 6, 6);
        using var lora = new LoraConv2d(conv, new LoraSettings(2, 4) { UseDora = true });
        using (no_grad())
        {
            lora.LoraBOf(AdapterLayer.DefaultAdapterName).weight.normal_();
            using var factor = 1.5.ToScalar();
            lora.Magnitude(AdapterLayer.DefaultAdapterName)!.mul_(factor);
        }

        using var unmerged = lora.forward(image);
        lora.Merge();
        using var merged = lora.forward(image);
        lora.Unmerge();

        Reference.RelativeError(merged, unmerged).Should().BeLessThan(1e-5);
        Reference.RelativeError(conv.weight, original).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Fresh_conv_embedding_and_ia3_adapters_leave_outputs_unchanged()
    {
        manual_seed(12);
        using var conv = nn.Conv2d(3, 5, 3, padding: 1);
        using var image = randn(2, 3, 6, 6);
        using var convBefore = conv.forward(image);
        using var loraConv = new LoraConv2d(conv, new LoraSettings(2, 4) { UseDora = true });
        Reference.RelativeError(loraConv.forward(image), convBefore).Should().BeLessThan(1e-6);

        using var embedding = nn.Embedding(10, 4);
        using var tokens = tensor(new long[] { 1, 3, 9, 0, 3, 2 }).reshape(2, 3);
        using var embBefore = embedding.forward(tokens);
        using var loraEmb = new LoraEmbedding(embedding, new LoraSettings(3, 6));
        loraEmb.forward(tokens).allclose(embBefore, rtol: 0, atol: 0).Should().BeTrue("A starts at zero");

        foreach (var feedForward in new[] { false, true })
        {
            using var linear = nn.Linear(6, 4);
            using var x = randn(3, 6);
            using var before = linear.forward(x);
            using var ia3 = new IA3Linear(linear, feedForward);
            ia3.forward(x).allclose(before, rtol: 0, atol: 0).Should().BeTrue("l starts at one");
        }
    }

    [Theory]
    [InlineData(1, 1.0, false)]
    [InlineData(4, 8.0, false)]
    [InlineData(4, 8.0, true)]
    [InlineData(16, 7.5, true)]
    public void Linear_lora_and_rslora_equal_the_reference_formula(int rank, double alpha, bool rsLora)
    {
        manual_seed(rank);
        using var lora = new LoraLinear(nn.Linear(24, 10), new LoraSettings(rank, alpha) { UseRsLora = rsLora });
        Reference.Randomize(lora);
        using var input = randn(9, 24);

        using var actual = lora.forward(input);

        var scaling = rsLora ? alpha / Math.Sqrt(rank) : alpha / rank;
        lora.Scaling.Should().BeApproximately(scaling, 1e-15);
        using var expected = Reference.LinearLora(input, lora.BaseLayer, lora.LoraA.weight!, lora.LoraB.weight!, scaling);
        Reference.RelativeError(actual, expected).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Linear_dora_equals_the_reference_formula(bool rsLora)
    {
        manual_seed(21);
        using var lora = new LoraLinear(nn.Linear(16, 8), new LoraSettings(4, 6) { UseDora = true, UseRsLora = rsLora });
        lora.Magnitude("default")!.shape.Should().Equal(8);
        Reference.Randomize(lora);
        using var input = randn(5, 16);

        using var actual = lora.forward(input);

        using var expected = Reference.LinearDora(
            input, lora.BaseLayer, lora.LoraA.weight!, lora.LoraB.weight!, lora.Magnitude("default")!, lora.Scaling);
        Reference.RelativeError(actual, expected).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Dora_magnitude_starts_at_the_row_norms_of_the_weight()
    {
        manual_seed(22);
        using var baseLayer = nn.Linear(9, 5);
        using var lora = new LoraLinear(baseLayer, new LoraSettings(2, 2) { UseDora = true });

        using var norms = Reference.F64(baseLayer.weight!).square().sum(1).sqrt();
        Reference.RelativeError(lora.Magnitude("default")!, norms).Should().BeLessThan(1e-6);
    }

    [Theory]
    [InlineData(false, 1, 0)]
    [InlineData(false, 2, 1)]
    [InlineData(true, 1, 1)]
    public void Conv2d_lora_and_dora_equal_the_reference_formula(bool dora, int stride, int padding)
    {
        manual_seed(31);
        using var conv = nn.Conv2d(3, 6, 3, stride: stride, padding: padding);
        using var lora = new LoraConv2d(conv, new LoraSettings(2, 3) { UseDora = dora });
        Reference.Randomize(lora);
        using var input = randn(2, 3, 7, 7);

        using var actual = lora.forward(input);

        var a = lora.LoraAOf("default").weight;
        var b = lora.LoraBOf("default").weight;
        a.shape.Should().Equal(2, 3, 3, 3);
        b.shape.Should().Equal(6, 2, 1, 1);
        using var delta = Reference.ConvDelta(a, b) * lora.Scaling;
        using var w = Reference.F64(conv.weight);
        Tensor expected;
        if (!dora)
        {
            expected = Reference.Conv(input, conv, w, withBias: true) + Reference.Conv(input, conv, delta, withBias: false);
        }
        else
        {
            var norm = (w + delta).square().sum([1, 2, 3]).sqrt().reshape(1, -1, 1, 1);
            var factor = Reference.F64(lora.Magnitude("default")!) / norm;
            var wx = Reference.Conv(input, conv, w, withBias: false);
            expected = wx + (factor - 1) * wx + factor * Reference.Conv(input, conv, delta, withBias: false)
                + Reference.F64(conv.bias!).reshape(1, -1, 1, 1);
        }

        Reference.RelativeError(actual, expected).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Embedding_lora_equals_the_reference_formula()
    {
        manual_seed(41);
        using var embedding = nn.Embedding(11, 6);
        using var lora = new LoraEmbedding(embedding, new LoraSettings(3, 5));
        Reference.Randomize(lora);
        lora.EmbeddingA("default").shape.Should().Equal(3, 11);
        lora.EmbeddingB("default").shape.Should().Equal(6, 3);
        using var tokens = tensor(new long[] { 0, 4, 10, 4, 7, 1, 2, 9 }).reshape(2, 4);

        using var actual = lora.forward(tokens);

        // Row lookup of W and of A^T, then B^T, scaled; computed in float64.
        var flat = tokens.reshape(-1);
        var rows = Reference.F64(embedding.weight!).index_select(0, flat)
            + Reference.F64(lora.EmbeddingA("default")).t().index_select(0, flat).matmul(Reference.F64(lora.EmbeddingB("default")).t()) * (5.0 / 3);
        Reference.RelativeError(actual, rows.reshape(2, 4, 6)).Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IA3_equals_the_reference_formula(bool feedForward)
    {
        manual_seed(51);
        using var linear = nn.Linear(7, 5);
        using var ia3 = new IA3Linear(linear, feedForward);
        var l = ia3.Vector("default");
        l.shape.Should().Equal(feedForward ? new long[] { 1, 7 } : [5, 1]);
        using (no_grad())
        {
            l.uniform_(0.2, 2.0);
        }

        using var input = randn(4, 7);
        using var actual = ia3.forward(input);

        var x = Reference.F64(input);
        var w = Reference.F64(linear.weight!);
        var b = Reference.F64(linear.bias!);
        var vector = Reference.F64(l).flatten();
        using var expected = feedForward ? (x * vector).matmul(w.t()) + b : (x.matmul(w.t()) + b) * vector;
        Reference.RelativeError(actual, expected).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Pissa_moves_the_top_singular_directions_into_the_adapter()
    {
        manual_seed(61);
        using var baseLayer = nn.Linear(10, 8);
        using var original = baseLayer.weight!.detach().clone().to(float64);
        using var input = randn(3, 10);
        using var before = baseLayer.forward(input);

        using var lora = new LoraLinear(baseLayer, new LoraSettings(3, 6) { Init = LoraInit.Pissa });

        // Residual + scaling * B A gives W back, and the top-3 singular values of W are now in B A.
        using var rebuilt = Reference.F64(baseLayer.weight!) + Reference.F64(lora.LoraB.weight!).matmul(Reference.F64(lora.LoraA.weight!)) * lora.Scaling;
        Reference.RelativeError(rebuilt, original).Should().BeLessThan(1e-5);
        var (_, s, _) = linalg.svd(original, fullMatrices: false);
        var (_, sAdapter, _) = linalg.svd(Reference.F64(lora.LoraB.weight!).matmul(Reference.F64(lora.LoraA.weight!)) * lora.Scaling, fullMatrices: false);
        Reference.RelativeError(sAdapter.slice(0, 0, 3, 1), s.slice(0, 0, 3, 1)).Should().BeLessThan(1e-5);
        Reference.RelativeError(lora.forward(input), before).Should().BeLessThan(1e-5);
    }
}
