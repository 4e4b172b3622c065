namespace PeftSharp.Tests.Models;

using System.Linq;
using FluentAssertions;
using PeftSharp.Lora;
using PeftSharp.Models.Bert;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

/// <summary>The encoder's projection fields accept adapter wrappers, and its forward then runs through them.</summary>
public sealed class LoraOnBertTests
{
    [Fact]
    public void Wrapping_query_and_value_with_LoRA_keeps_the_output_and_adds_reference_keys()
    {
        var config = new BertConfig { VocabSize = 30, HiddenSize = 8, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 16, MaxPositionEmbeddings = 16 };
        torch.manual_seed(5);
        using var model = new BertModel(config);
        model.eval();
        using var ids = tensor(new long[] { 2, 5, 7, 9, 3 }, [1, 5]);
        using var before = model.call(ids, null);

        foreach (var layer in model.encoder.Layers)
        {
            // What adapter wiring does: wrap, store into the public field, re-register under the same name.
            var attention = layer.attention.self;
            var query = new LoraLinear((Linear)attention.query, rank: 2, alpha: 4, dropout: 0);
            var value = new LoraLinear((Linear)attention.value, rank: 2, alpha: 4, dropout: 0);
            attention.query = query;
            attention.value = value;
            foreach (var (name, wrapper) in new[] { ("query", query), ("value", value) })
            {
                attention.register_module(name, null!);
                attention.register_module(name, wrapper);
            }
        }

        var keys = model.state_dict().Keys.ToList();
        keys.Should().Contain("encoder.layer.1.attention.self.query.base_layer.weight")
            .And.Contain("encoder.layer.1.attention.self.value.lora_A.default.weight")
            .And.Contain("encoder.layer.0.attention.self.value.lora_B.default.weight")
            .And.NotContain("encoder.layer.0.attention.self.query.weight");
        model.encoder.Layers[0].attention.self.query.Should().BeOfType<LoraLinear>();

        // LoRA B starts at zero: same output until trained.
        using var after = model.call(ids, null);
        (after - before).abs().max().item<float>().Should().BeLessThan(1e-6f);

        // A non-zero B changes the output, proving forward goes through the wrapper.
        using (no_grad())
        {
            using var value = 0.1.ToScalar();
            model.named_parameters().Where(p => p.name.Contains("lora_B", System.StringComparison.Ordinal)).ToList().ForEach(p => p.parameter.fill_(value));
        }

        using var changed = model.call(ids, null);
        (changed - before).abs().max().item<float>().Should().BeGreaterThan(1e-3f);
    }
}
