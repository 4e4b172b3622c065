namespace PeftSharp.Tests.Adapters;

using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using PeftSharp.IA3;
using PeftSharp.Lora;
using PeftSharp.Tests.Lora;
using PeftSharp.Tuners;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

/// <summary>Run-time targeting, several adapters, merging, freezing and the parameter report on a model we do not own.</summary>
public sealed class PeftModelTests
{
    private static Tensor Tokens() => tensor(new long[] { 1, 5, 7, 2, 19, 0, 3, 3, 11, 4, 8, 6 }).reshape(3, 4);

    private static void RandomizeAll(PeftModel peft)
    {
        foreach (var (_, layer) in peft.AdapterLayers)
        {
            foreach (var name in layer.AdapterNames)
            {
                using var noGrad = no_grad();
                foreach (var (_, p) in layer.NamedAdapterParameters(name))
                {
                    if (layer is IA3Linear)
                    {
                        p.uniform_(0.5, 1.5);
                    }
                    else
                    {
                        p.normal_(0, 0.3);
                    }
                }
            }
        }
    }

    [Fact]
    public void Dotted_suffix_names_wrap_fields_inside_a_module_list_and_keep_the_parameter_order()
    {
        manual_seed(1);
        using var model = new TinyEncoder();
        using var tokens = Tokens();
        using var before = model.forward(tokens);
        var keysBefore = model.state_dict().Keys.ToList();

        var peft = PeftModel.Create(model, new LoraConfig { R = 2, LoraAlpha = 4, TargetModules = TargetModules.Of("query", "value") });

        peft.AdapterLayers.Select(l => l.Path).Should().Equal(
            "layers.0.attention.query", "layers.0.attention.value", "layers.1.attention.query", "layers.1.attention.value");
        using (var after = model.forward(tokens))
        {
            after.allclose(before, rtol: 0, atol: 0).Should().BeTrue("a fresh adapter changes nothing");
        }

        // The forward reads the replaced fields: with non-zero B the output moves.
        RandomizeAll(peft);
        using (var changed = model.forward(tokens))
        {
            changed.allclose(before, rtol: 1e-4, atol: 1e-4).Should().BeFalse();
        }

        // Same keys in the same order, with "<layer>.weight" become "<layer>.base_layer.weight" and the adapters after it.
        var keysAfter = model.state_dict().Keys.Where(k => !k.Contains(".lora_", StringComparison.Ordinal)).ToList();
        keysAfter.Select(k => k.Replace(".base_layer", string.Empty, StringComparison.Ordinal)).Should().Equal(keysBefore);
        model.state_dict().Keys.Should().Contain("layers.1.attention.value.lora_B.default.weight");
    }

    [Fact]
    public void A_sequential_element_is_replaced_where_the_sequential_reads_it()
    {
        manual_seed(2);
        using var model = new TinyEncoder();
        using var tokens = Tokens();
        using var before = model.forward(tokens);

        var peft = PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Regex(@"layers\.\d+\.ffn\.(0|2)") });
        RandomizeAll(peft);

        peft.AdapterLayers.Select(l => l.Path).Should().Equal("layers.0.ffn.0", "layers.0.ffn.2", "layers.1.ffn.0", "layers.1.ffn.2");
        model.named_modules().Single(m => m.name == "layers.0.ffn.2").module.Should().BeOfType<LoraLinear>();
        using var after = model.forward(tokens);
        after.allclose(before, rtol: 1e-4, atol: 1e-4).Should().BeFalse();
    }

    [Fact]
    public void A_regex_must_match_the_whole_path()
    {
        using var model = new TinyEncoder();

        var create = () => PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Regex("query") });

        create.Should().Throw<ArgumentException>().WithMessage("*regex 'query'*Closest module names: layers.0.attention.query*");
    }

    [Fact]
    public void A_target_that_matches_nothing_lists_the_closest_module_names()
    {
        using var model = new TinyEncoder();

        var create = () => PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("query", "qurey") });

        create.Should().Throw<ArgumentException>()
            .WithMessage("Target module 'qurey' matches no module*Closest module names: layers.0.attention.query, layers.1.attention.query*");
        model.named_modules().Select(m => m.module).OfType<AdapterLayer>().Should().BeEmpty("nothing is wrapped when a target fails");
    }

    [Fact]
    public void All_linear_targets_every_linear_except_the_output_head()
    {
        using var model = new TinyEncoder(blocks: 1);

        var peft = PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.AllLinear });

        peft.AdapterLayers.Select(l => l.Path).Should().BeEquivalentTo(
            "layers.0.attention.query", "layers.0.attention.key", "layers.0.attention.value", "layers.0.attention.output",
            "layers.0.ffn.0", "layers.0.ffn.2");
        peft.Configs["default"].TargetModules!.Names.Should().HaveCount(6);
    }

    [Fact]
    public void Embedding_and_container_targets()
    {
        using var model = new TinyEncoder();

        var peft = PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("embeddings") });
        peft.AdapterLayers.Single().Layer.Should().BeOfType<LoraEmbedding>();

        using var other = new TinyEncoder();
        var container = () => PeftModel.Create(other, new LoraConfig { TargetModules = TargetModules.Of("attention") });
        container.Should().Throw<ArgumentException>().WithMessage("*layers.0.attention' is a TinyAttention; LoRA supports Linear, Conv2d and Embedding*");
    }

    [Fact]
    public void Rank_and_alpha_patterns_override_per_layer()
    {
        using var model = new TinyEncoder();

        var peft = PeftModel.Create(model, new LoraConfig
        {
            R = 2,
            LoraAlpha = 4,
            TargetModules = TargetModules.Of("query", "value"),
            RankPattern = new Dictionary<string, int> { ["layers.1.attention.value"] = 6 },
            AlphaPattern = new Dictionary<string, double> { ["query"] = 1 },
        });

        var layers = peft.AdapterLayers.ToDictionary(l => l.Path, l => (LoraLinear)l.Layer);
        layers["layers.1.attention.value"].Rank.Should().Be(6);
        layers["layers.1.attention.value"].Alpha.Should().Be(4);
        layers["layers.0.attention.value"].Rank.Should().Be(2);
        layers["layers.0.attention.query"].Scaling.Should().Be(0.5);
    }

    [Fact]
    public void Active_adapters_sum_and_can_be_chosen_disabled_and_deleted()
    {
        manual_seed(3);
        using var baseLayer = nn.Linear(6, 4);
        using var lora = new LoraLinear(baseLayer, new LoraSettings(2, 4), "a");
        lora.AddAdapter("b", new LoraSettings(3, 3) { UseRsLora = true });
        Reference.Randomize(lora, "a");
        Reference.Randomize(lora, "b");
        using var x = randn(5, 6);
        using var a = Reference.LinearLora(x, baseLayer, lora.LoraAOf("a").weight!, lora.LoraBOf("a").weight!, 2.0);
        using var b = Reference.LinearLora(x, baseLayer, lora.LoraAOf("b").weight!, lora.LoraBOf("b").weight!, 3 / Math.Sqrt(3));
        using var baseOut = Reference.LinearLora(x, baseLayer, lora.LoraAOf("a").weight!, lora.LoraBOf("a").weight!, 0);

        lora.ActiveAdapters.Should().Equal("a");
        Reference.RelativeError(lora.forward(x), a).Should().BeLessThan(1e-5);

        lora.SetActiveAdapters(["a", "b"]);
        Reference.RelativeError(lora.forward(x), a + b - baseOut).Should().BeLessThan(1e-5);

        lora.SetActiveAdapters(["b"]);
        Reference.RelativeError(lora.forward(x), b).Should().BeLessThan(1e-5);

        lora.SetAdaptersDisabled(true);
        Reference.RelativeError(lora.forward(x), baseOut).Should().BeLessThan(1e-6);
        lora.SetAdaptersDisabled(false);

        lora.DeleteAdapter("b");
        lora.AdapterNames.Should().Equal("a");
        lora.state_dict().Keys.Should().NotContain(k => k.Contains(".b.", StringComparison.Ordinal));
        lora.ActiveAdapters.Should().BeEmpty();
        Reference.RelativeError(lora.forward(x), baseOut).Should().BeLessThan(1e-6);
    }

    [Fact]
    public void Model_level_adapters_add_set_disable_and_delete()
    {
        manual_seed(4);
        using var model = new TinyEncoder();
        using var tokens = Tokens();
        using var baseOut = model.forward(tokens);
        var peft = PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("query") });
        peft.AddAdapter("other", new LoraConfig { TargetModules = TargetModules.Of("value", "query") });
        RandomizeAll(peft);

        peft.ActiveAdapters.Should().Equal("default");
        using var first = model.forward(tokens);
        peft.SetActiveAdapters("other");
        using var second = model.forward(tokens);
        peft.SetActiveAdapters("default", "other");
        using var both = model.forward(tokens);
        first.allclose(second, 1e-4, 1e-4).Should().BeFalse();
        both.allclose(first, 1e-4, 1e-4).Should().BeFalse();

        peft.TrainableParameters().Should().HaveCount(12, "A and B of 2 query layers for two adapters, and of 2 value layers for one");

        using (peft.DisabledAdapters())
        {
            using var disabled = model.forward(tokens);
            disabled.allclose(baseOut, rtol: 0, atol: 0).Should().BeTrue();
        }

        using (var enabled = model.forward(tokens))
        {
            enabled.allclose(both, rtol: 0, atol: 0).Should().BeTrue();
        }

        peft.DeleteAdapter("other");
        peft.AdapterLayers.Select(l => l.Path).Should().Equal("layers.0.attention.query", "layers.1.attention.query");
        model.named_modules().Single(m => m.name == "layers.0.attention.value").module.Should().BeOfType<Linear>();
        using var afterDelete = model.forward(tokens);
        afterDelete.allclose(first, rtol: 0, atol: 0).Should().BeTrue();
    }

    public static TheoryData<string> MergeCases => new() { "lora", "rslora-dora", "ia3", "embedding", "two-adapters" };

    [Theory]
    [MemberData(nameof(MergeCases))]
    public void Merge_matches_the_unmerged_forward_and_unmerge_restores_the_weights(string setup)
    {
        manual_seed(5);
        using var model = new TinyEncoder();
        using var tokens = Tokens();
        var original = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        var peft = setup switch
        {
            "lora" => PeftModel.Create(model, new LoraConfig { R = 3, LoraAlpha = 5, TargetModules = TargetModules.AllLinear }),
            "rslora-dora" => PeftModel.Create(model, new LoraConfig { R = 3, LoraAlpha = 5, UseRsLora = true, UseDora = true, TargetModules = TargetModules.AllLinear }),
            "ia3" => PeftModel.Create(model, new IA3Config { TargetModules = TargetModules.Of("key", "value", "ffn.2"), FeedforwardModules = TargetModules.Of("ffn.2") }),
            "embedding" => PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("embeddings", "query") }),
            _ => PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("query", "value") }),
        };
        if (setup == "two-adapters")
        {
            // DoRA in one adapter, plain LoRA in the other on the same layer: the reference's merge is order-dependent
            // when a DoRA adapter shares a layer with another adapter, so the DoRA adapter has its layers to itself.
            peft.AddAdapter("second", new LoraConfig { UseDora = true, TargetModules = TargetModules.Of("ffn.0", "key") });
            peft.SetActiveAdapters("default", "second");
        }

        RandomizeAll(peft);
        using var unmerged = model.forward(tokens);

        peft.Merge();

        peft.AdapterLayers.Should().OnlyContain(l => l.Layer.IsMerged || l.Layer.ActiveAdapters.Count == 0);
        using (var merged = model.forward(tokens))
        {
            Reference.RelativeError(merged, unmerged).Should().BeLessThan(1e-5);
        }

        peft.Unmerge();
        using (var again = model.forward(tokens))
        {
            Reference.RelativeError(again, unmerged).Should().BeLessThan(1e-5);
        }

        foreach (var (path, layer) in peft.AdapterLayers)
        {
            foreach (var (name, parameter) in layer.BaseModule.named_parameters())
            {
                Reference.RelativeError(parameter, original[$"{path}.{name}"]).Should().BeLessThan(1e-6, $"{path}.{name} is restored");
            }
        }
    }

    [Fact]
    public void Merge_and_unload_returns_plain_modules_with_the_merged_weights()
    {
        manual_seed(6);
        using var model = new TinyEncoder();
        using var tokens = Tokens();
        var peft = PeftModel.Create(model, new LoraConfig { UseDora = true, TargetModules = TargetModules.Of("query", "ffn.0") });
        peft.AddAdapter("embedding", new LoraConfig { TargetModules = TargetModules.Of("embeddings") });
        peft.SetActiveAdapters("default", "embedding");
        RandomizeAll(peft);
        using var adapted = model.forward(tokens);

        var plain = peft.MergeAndUnload();

        plain.Should().BeSameAs(model);
        model.named_modules().Select(m => m.module).OfType<AdapterLayer>().Should().BeEmpty();
        model.named_modules().Single(m => m.name == "layers.0.ffn.0").module.Should().BeOfType<Linear>();
        model.state_dict().Keys.Should().NotContain(k => k.Contains("lora_", StringComparison.Ordinal) || k.Contains("base_layer", StringComparison.Ordinal));
        using var after = model.forward(tokens);
        Reference.RelativeError(after, adapted).Should().BeLessThan(1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_changes_only_adapters_and_the_saved_head(bool dora)
    {
        manual_seed(7);
        using var model = new TinyEncoder();
        var peft = PeftModel.Create(model, new LoraConfig
        {
            R = 2,
            UseDora = dora,
            TargetModules = dora ? TargetModules.Of("query", "value") : TargetModules.Of("query", "value", "embeddings"),
            ModulesToSave = ["classifier"],
        });
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var trainable = peft.TrainableParameters();
        using var optimizer = optim.AdamW(trainable, lr: 0.05);
        using var tokens = Tokens();
        using var labels = tensor(new long[] { 0, 2, 1 });

        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(tokens), labels);
            loss.backward();
            optimizer.step();
        }

        // The optimizer holds exactly the trainable parameters.
        optimizer.parameters().Should().HaveCount(trainable.Count);
        optimizer.parameters().Should().OnlyContain(p => p.requires_grad);
        foreach (var (name, parameter) in model.named_parameters())
        {
            var isAdapter = name.Contains(".lora_", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal);
            parameter.requires_grad.Should().Be(isAdapter, name);
            var same = parameter.detach().eq(before[name]).all().item<bool>();
            if (isAdapter)
            {
                // B (zero-initialised) and A both move once B is non-zero; the embedding's A starts at zero and moves too.
                same.Should().BeFalse($"{name} trains");
            }
            else
            {
                same.Should().BeTrue($"{name} is frozen and must be bit-identical");
            }
        }
    }

    [Theory]
    [InlineData(BiasMode.None, new string[0])]
    [InlineData(BiasMode.LoraOnly, new[] { "layers.0.attention.query.base_layer.bias", "layers.1.attention.query.base_layer.bias" })]
    public void Bias_modes_choose_which_biases_train(BiasMode bias, string[] trainableBiases)
    {
        using var model = new TinyEncoder();

        PeftModel.Create(model, new LoraConfig { Bias = bias, TargetModules = TargetModules.Of("query") });

        model.named_parameters().Where(p => p.parameter.requires_grad && p.name.EndsWith("bias", StringComparison.Ordinal))
            .Select(p => p.name).Should().BeEquivalentTo(trainableBiases);
    }

    [Fact]
    public void Bias_all_trains_every_bias()
    {
        using var model = new TinyEncoder();

        PeftModel.Create(model, new LoraConfig { Bias = BiasMode.All, TargetModules = TargetModules.Of("query") });

        var biases = model.named_parameters().Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal)).ToList();
        biases.Should().HaveCount(2 * (4 + 2) + 1);
        biases.Should().OnlyContain(p => p.parameter.requires_grad);
    }

    [Fact]
    public void The_report_counts_trainable_total_and_per_module()
    {
        using var model = new TinyEncoder(vocabulary: 20, hidden: 8, blocks: 2, classes: 3);

        var peft = PeftModel.Create(model, new LoraConfig { R = 2, TargetModules = TargetModules.Of("query"), ModulesToSave = ["classifier"] });
        var report = peft.ParameterReport();

        // Per query layer: A 2x8 + B 8x2 = 32; two of them, plus the 8x3 + 3 head.
        report.Trainable.Should().Be(2 * 32 + 27);
        report.Total.Should().Be(model.parameters().Sum(p => p.numel()));
        report.TrainablePercent.Should().BeApproximately(100.0 * report.Trainable / report.Total, 1e-12);
        report.Modules.Should().ContainEquivalentOf(new ParameterCount("layers.0.attention.query.lora_A.default", 16, 16));
        report.Modules.Should().ContainEquivalentOf(new ParameterCount("layers.0.attention.query.base_layer", 0, 72));
        report.Modules.Should().ContainEquivalentOf(new ParameterCount("classifier", 27, 27));
        report.ToString().Should().StartWith("trainable params: 91 || all params: ");
    }

    [Fact]
    public void The_reference_golden_counts_hold_through_run_time_targeting()
    {
        // MLP 20 -> 2000 -> 2000 -> 2, LoRA r = 8 on the first two Linears, the last fully trainable: 52,162.
        using var mlp = nn.Sequential(nn.Linear(20, 2000), nn.ReLU(), nn.Linear(2000, 2000), nn.ReLU(), nn.Linear(2000, 2));
        var peft = PeftModel.Create(mlp, new LoraConfig { R = 8, TargetModules = TargetModules.Of("0", "2"), ModulesToSave = ["4"] });
        peft.ParameterReport().Trainable.Should().Be(52_162);

        // RoBERTa-base shapes: r = 8 on query and value (768 x 768) of 12 layers: 294,912.
        using var roberta = new TinyEncoder(vocabulary: 4, hidden: 768, blocks: 12, classes: 2);
        var robertaPeft = PeftModel.Create(roberta, new LoraConfig { R = 8, TargetModules = TargetModules.Of("query", "value") });
        robertaPeft.ParameterReport().Trainable.Should().Be(294_912);
    }

    [Fact]
    public void A_generated_model_keeps_its_adapters_and_count_under_peft_model()
    {
        using var model = new GoldenMlp();
        model.ApplyAdapters();

        var peft = PeftModel.Create(model, new LoraConfig { R = 8, TargetModules = TargetModules.Of("lin0", "lin1"), ModulesToSave = ["lin2"] });

        peft.ParameterReport().Trainable.Should().Be(52_162);
        peft.AdapterLayers.Select(l => l.Path).Should().Equal("lin0", "lin1");
    }

    [Fact]
    public void A_field_typed_as_a_sealed_layer_is_a_clear_error_and_nothing_stays_wrapped()
    {
        using var model = new SealedFieldModel();
        var keys = model.state_dict().Keys.ToList();

        var create = () => PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("first", "second") });

        create.Should().Throw<InvalidOperationException>()
            .WithMessage("*'second' is held by field 'SealedFieldModel.second' of type Linear*declare the field as Module<Tensor, Tensor>*");
        model.state_dict().Keys.Should().Equal(keys);
        model.named_modules().Select(m => m.module).OfType<AdapterLayer>().Should().BeEmpty();
    }

    [Fact]
    public void A_missing_module_to_save_lists_the_closest_names()
    {
        using var model = new TinyEncoder();

        var create = () => PeftModel.Create(model, new LoraConfig { TargetModules = TargetModules.Of("query"), ModulesToSave = ["clasifier"] });

        create.Should().Throw<ArgumentException>().WithMessage("modules_to_save entry 'clasifier' matches no module. Closest module names: classifier*");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("layers")]
    public void Layers_to_transform_selects_layers_by_index(string? pattern)
    {
        using var model = new TinyEncoder(blocks: 3);

        var peft = PeftModel.Create(model, new LoraConfig
        {
            TargetModules = TargetModules.Of("query", "ffn.0"),
            LayersToTransform = [0, 2],
            LayersPattern = pattern,
        });

        peft.AdapterLayers.Select(l => l.Path).Should().Equal(
            "layers.0.attention.query", "layers.0.ffn.0", "layers.2.attention.query", "layers.2.ffn.0");
    }
}
