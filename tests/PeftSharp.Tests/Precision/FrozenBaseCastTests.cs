namespace PeftSharp.Tests.Precision;

using System.Linq;
using FluentAssertions;
using PeftSharp.IA3;
using PeftSharp.Lora;
using PeftSharp.Precision;
using PeftSharp.Tests.Adapters;
using PeftSharp.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

/// <summary>
/// A bfloat16 frozen base under float32 adapters and heads (<c>--base-dtype bfloat16</c>): what is cast, PEFT's
/// dtype casts in the adapter layers (against float64 math on the same weights), and training only the float32 part.
/// </summary>
public sealed class FrozenBaseCastTests
{
    [Fact]
    public void Frozen_parameters_become_bfloat16_and_trainable_ones_stay_float32()
    {
        manual_seed(1);
        using var model = new SmallClassifier();

        var report = FrozenBaseCast.Apply(model, ScalarType.BFloat16);

        var dtypes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        dtypes.Should().BeEquivalentTo(new System.Collections.Generic.Dictionary<string, ScalarType>
        {
            ["hidden.base_layer.weight"] = ScalarType.BFloat16,
            ["hidden.base_layer.bias"] = ScalarType.BFloat16,
            ["hidden.lora_A.default.weight"] = ScalarType.Float32,
            ["hidden.lora_B.default.weight"] = ScalarType.Float32,
            ["norm.weight"] = ScalarType.BFloat16,
            ["norm.bias"] = ScalarType.BFloat16,
            ["head.weight"] = ScalarType.Float32,
            ["head.bias"] = ScalarType.Float32,
        });
        report.Parameters.Should().Be((8 * 16) + 16 + 16 + 16);
        report.BytesBefore.Should().Be(report.Parameters * 4);
        report.BytesAfter.Should().Be(report.Parameters * 2);
        model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name)
            .Should().BeEquivalentTo("hidden.lora_A.default.weight", "hidden.lora_B.default.weight", "head.weight", "head.bias");
    }

    [Fact]
    public void The_model_output_is_the_float64_computation_on_the_bfloat16_weights()
    {
        manual_seed(2);
        using var model = new SmallClassifier();
        Reference.Randomize(model.Hidden);
        FrozenBaseCast.Apply(model, ScalarType.BFloat16);
        using var x = randn(5, 8);

        using var actual = model.call(x);

        // The head is float32, so the logits are float32 (a bfloat16 loss would lose precision).
        actual.dtype.Should().Be(ScalarType.Float32);
        var hidden = Reference.LinearLora(x, model.Hidden.BaseLayer, model.Hidden.LoraA.weight!, model.Hidden.LoraB.weight!, model.Hidden.Scaling);
        var normed = nn.functional.layer_norm(nn.functional.relu(hidden), [16], Reference.F64(model.Norm.weight!), Reference.F64(model.Norm.bias!));
        var expected = normed.matmul(Reference.F64(model.Head.weight!).t()) + Reference.F64(model.Head.bias!);
        // bfloat16 keeps 8 significant bits: activations rounded to it differ from float64 by well under 1%.
        Reference.RelativeError(actual, expected).Should().BeLessThan(1e-2);
        Reference.RelativeError(actual, LayerNormHead(model, Reference.F64(model.Hidden.BaseLayer.forward(x.to(ScalarType.BFloat16))))).Should().BeGreaterThan(5e-2, "the adapter branch must contribute");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_lora_layer_on_a_bfloat16_base_returns_the_base_dtype_as_peft_does(bool dora)
    {
        manual_seed(3);
        using var layer = new LoraLinear(nn.Linear(12, 6), new LoraSettings(4, 8, 0) { UseDora = dora });
        Reference.Randomize(layer);
        FrozenBaseCast.Apply(layer, ScalarType.BFloat16);
        using var x = randn(3, 12);

        using var actual = layer.call(x);

        actual.dtype.Should().Be(ScalarType.BFloat16);
        layer.LoraA.weight!.dtype.Should().Be(ScalarType.Float32);
        using var expected = dora
            ? Reference.LinearDora(x, layer.BaseLayer, layer.LoraA.weight!, layer.LoraB.weight!, layer.Magnitude("default")!, layer.Scaling)
            : Reference.LinearLora(x, layer.BaseLayer, layer.LoraA.weight!, layer.LoraB.weight!, layer.Scaling);
        Reference.RelativeError(actual, expected).Should().BeLessThan(1e-2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_ia3_layer_on_a_bfloat16_base_scales_in_float32_and_returns_bfloat16(bool feedForward)
    {
        manual_seed(4);
        using var layer = new IA3Linear(nn.Linear(10, 7), feedForward);
        using (no_grad())
        {
            layer.Vector("default").uniform_(0.5, 1.5);
        }

        FrozenBaseCast.Apply(layer, ScalarType.BFloat16);
        using var x = randn(4, 10);

        using var actual = layer.call(x);

        actual.dtype.Should().Be(ScalarType.BFloat16);
        var w = Reference.F64(layer.BaseLayer.weight!);
        var b = Reference.F64(layer.BaseLayer.bias!);
        var l = Reference.F64(layer.Vector("default")).flatten();
        var x64 = Reference.F64(x);
        using var expected = feedForward ? (x64 * l).matmul(w.t()) + b : (x64.matmul(w.t()) + b) * l;
        Reference.RelativeError(actual, expected).Should().BeLessThan(1e-2);
    }

    [Fact]
    public void Training_updates_only_the_float32_parameters_and_leaves_the_bfloat16_base_unchanged()
    {
        manual_seed(5);
        using var model = new SmallClassifier();
        FrozenBaseCast.Apply(model, ScalarType.BFloat16);
        var frozenBefore = model.named_parameters().Where(p => !p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = ParameterGroups.AdamW(model, 0.05, 0.0);
        using var x = randn(32, 8);
        using var y = randint(0, 3, [32]);
        double first = 0, last = 0;

        for (var step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            first = step == 0 ? last : first;
        }

        last.Should().BeLessThan(first * 0.7, "the float32 adapter and head learn through the bfloat16 base");
        trainable.Select(p => $"{p.dtype} {p.grad?.dtype}").Should().OnlyContain(d => d == "Float32 Float32", "float32 parameters with float32 gradients");
        foreach (var (name, parameter) in model.named_parameters().Where(p => !p.parameter.requires_grad))
        {
            parameter.grad.Should().BeNull(name);
            parameter.dtype.Should().Be(ScalarType.BFloat16, name);
            parameter.allclose(frozenBefore[name], rtol: 0, atol: 0).Should().BeTrue(name);
        }
    }

    [Fact]
    public void A_model_without_frozen_parameters_is_left_as_it_is()
    {
        using var model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4));

        var report = FrozenBaseCast.Apply(model, ScalarType.BFloat16);

        report.Parameters.Should().Be(0);
        model.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32);
    }

    private static Tensor LayerNormHead(SmallClassifier model, Tensor hidden)
    {
        var normed = nn.functional.layer_norm(nn.functional.relu(hidden), [16], Reference.F64(model.Norm.weight!), Reference.F64(model.Norm.bias!));
        return normed.matmul(Reference.F64(model.Head.weight!).t()) + Reference.F64(model.Head.bias!);
    }

    /// <summary>A LoRA hidden layer, a frozen LayerNorm and a trainable head, as a fine-tuned classifier is.</summary>
    private sealed class SmallClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly LoraLinear hidden;
        private readonly LayerNorm norm;
        private readonly Linear head;

        public SmallClassifier()
            : base(nameof(SmallClassifier))
        {
            hidden = new LoraLinear(nn.Linear(8, 16), rank: 4, alpha: 8, dropout: 0);
            norm = nn.LayerNorm(16);
            head = nn.Linear(16, 3);
            RegisterComponents();
            foreach (var p in norm.parameters())
            {
                p.requires_grad = false;
            }
        }

        public LoraLinear Hidden => hidden;

        public LayerNorm Norm => norm;

        public Linear Head => head;

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return head.call(norm.call(nn.functional.relu(hidden.call(input)))).MoveToOuterDisposeScope();
        }
    }
}
