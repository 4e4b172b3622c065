namespace PeftSharp.Tests.Models;

using System;
using System.Linq;
using System.Reflection;
using FluentAssertions;
using PeftSharp.Models.Bert;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

public sealed class BertModelTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 50,
        HiddenSize = 16,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 32,
        MaxPositionEmbeddings = 24,
    };

    [Fact]
    public void State_dict_has_exactly_the_Hugging_Face_keys_and_shapes()
    {
        using var model = new BertModel(Tiny);
        var state = model.state_dict();
        var expected = BertCheckpointLayout.ExpectedShapes(Tiny);
        state.Keys.Should().BeEquivalentTo(expected.Select(e => e.Key));
        foreach (var (key, shape) in expected)
        {
            state[key].shape.Should().Equal(shape, key);
        }

        state.Keys.Should().Contain("encoder.layer.1.attention.self.query.weight")
            .And.Contain("encoder.layer.0.attention.output.LayerNorm.bias")
            .And.Contain("embeddings.LayerNorm.weight")
            .And.Contain("pooler.dense.weight");
    }

    [Fact]
    public void MiniLm_configuration_counts_the_published_22_713_216_parameters()
    {
        BertConfig.MiniLmL6V2.ParameterCount().Should().Be(22_713_216);
        using var model = new BertModel(Tiny);
        model.parameters().Sum(p => p.numel()).Should().Be(Tiny.ParameterCount());
    }

    [Fact]
    public void Adapter_targets_are_fields_typed_Module_of_Tensor_to_Tensor_holding_Linear()
    {
        // Wrappers (LoRA, DoRA, IA3) replace these fields; a field typed Linear could not hold them (Linear is sealed).
        // They are public so that adapter wiring generated in another assembly ([LoraTargets]) can assign them.
        foreach (var (type, name) in new[]
        {
            (typeof(BertSelfAttention), "query"), (typeof(BertSelfAttention), "key"), (typeof(BertSelfAttention), "value"),
            (typeof(BertSelfOutput), "dense"), (typeof(BertIntermediate), "dense"), (typeof(BertPooler), "dense"),
        })
        {
            var field = type.GetField(name, BindingFlags.Instance | BindingFlags.Public);
            field.Should().NotBeNull($"{type.Name}.{name}");
            field!.FieldType.Should().Be<nn.Module<Tensor, Tensor>>();
            field.IsInitOnly.Should().BeFalse("wiring assigns the wrapper back to the field");
        }

        using var model = new BertModel(Tiny);
        model.encoder.Layers[0].attention.self.query.Should().BeOfType<TorchSharp.Modules.Linear>();
    }

    [Fact]
    public void Padding_does_not_change_the_states_of_real_tokens()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var model = new BertModel(Tiny);
        model.eval();
        var ids = tensor(new long[] { 2, 7, 9, 11, 3 }, [1, 5]);
        var alone = model.call(ids, ones(1, 5, dtype: ScalarType.Int64));

        var padded = tensor(new long[] { 2, 7, 9, 11, 3, 0, 0, 0, 4, 5, 6, 7, 8, 9, 10, 11 }, [2, 8]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 8]);
        var batched = model.call(padded, mask);
        batched.shape.Should().Equal(2, 8, 16);
        (batched[0, ..5] - alone[0]).abs().max().item<float>().Should().BeLessThan(1e-5f);

        // Mean pooling ignores the padding too.
        var pooledAlone = SentencePooling.MeanPoolNormalized(alone, ones(1, 5));
        var pooledBatch = SentencePooling.MeanPoolNormalized(batched, mask);
        (pooledBatch[0] - pooledAlone[0]).abs().max().item<float>().Should().BeLessThan(1e-5f);
        using var one = 1.ToScalar();
        pooledBatch.norm(1).sub(one).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Forward_in_eval_mode_is_deterministic_and_leaves_no_tensors_behind()
    {
        torch.manual_seed(2);
        using var model = new BertModel(Tiny);
        model.eval();
        using var ids = tensor(new long[] { 2, 7, 9, 3 }, [1, 4]);
        using var first = model.call(ids, null);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope())
        {
            var second = model.call(ids, null);
            (second - first).abs().max().item<float>().Should().Be(0);
        }

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Inconsistent_shapes_fail_with_the_setting_named()
    {
        var act = () => new BertModel(Tiny with { HiddenSize = 18 });
        act.Should().Throw<ArgumentException>().WithMessage("*HiddenSize 18*NumAttentionHeads 4*");

        using var model = new BertModel(Tiny);
        using var ids = zeros(1, 30, dtype: ScalarType.Int64);
        var tooLong = () => model.call(ids, null);
        tooLong.Should().Throw<ArgumentException>().WithMessage("*30 exceeds*24 positions*");
        using var shortIds = zeros(1, 4, dtype: ScalarType.Int64);
        using var badMask = ones(1, 5);
        var badMaskCall = () => model.call(shortIds, badMask);
        badMaskCall.Should().Throw<ArgumentException>().WithMessage("*attentionMask*[1, 5]*[1, 4]*");
    }

    [Fact]
    public void Feed_forward_uses_the_exact_erf_gelu()
    {
        // erf GELU(1) = 0.841344746; the tanh approximation would give 0.841191990.
        var config = Tiny with { HiddenSize = 4, NumAttentionHeads = 1, IntermediateSize = 1 };
        using var block = new BertIntermediate(config);
        using (no_grad())
        {
            foreach (var (name, p) in block.named_parameters())
            {
                p.copy_(name.EndsWith("weight", StringComparison.Ordinal) ? tensor(new[] { 1f, 0, 0, 0 }).reshape(1, 4) : zeros(1));
            }
        }

        using var x = tensor(new[] { 1f, 5, 5, 5 }).reshape(1, 4);
        using var y = block.call(x);
        y.item<float>().Should().BeApproximately(0.841344746f, 1e-6f);
    }
}
