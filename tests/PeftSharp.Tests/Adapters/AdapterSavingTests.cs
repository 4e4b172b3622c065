namespace PeftSharp.Tests.Adapters;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using FluentAssertions;
using PeftSharp.IA3;
using PeftSharp.Lora;
using PeftSharp.Saving;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using PeftSharp.Tuners;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

/// <summary>Adapters saved and loaded in the reference PEFT format.</summary>
public sealed class AdapterSavingTests
{
    private const string P = "base_model.model.";

    private static Tensor Tokens() => tensor(new long[] { 1, 5, 7, 2, 19, 0, 3, 3, 11, 4, 8, 6 }).reshape(3, 4);

    private static TinyEncoder BaseModel()
    {
        // The same seed gives the same "pretrained" base weights for the saving and the loading model.
        manual_seed(100);
        return new TinyEncoder();
    }

    private static void Randomize(PeftModel peft, string adapter)
    {
        using var noGrad = no_grad();
        foreach (var (_, tensor) in peft.AdapterStateDict(adapter))
        {
            tensor.uniform_(0.5, 1.5);
        }
    }

    private static LoraConfig Config() => new()
    {
        R = 2,
        LoraAlpha = 16,
        TargetModules = TargetModules.Of("value", "query", "embeddings"),
        ModulesToSave = ["classifier"],
        TaskType = "SEQ_CLS",
    };

    [Fact]
    public void Save_then_load_into_a_fresh_model_gives_identical_outputs()
    {
        using var dir = new TempDirectory();
        using var tokens = Tokens();
        Tensor expected;
        using (var model = BaseModel())
        {
            var peft = PeftModel.Create(model, Config());
            Randomize(peft, "default");
            expected = model.forward(tokens);
            peft.SaveAdapters(dir.Path);
        }

        using var fresh = BaseModel();
        using (var untouched = fresh.forward(tokens))
        {
            untouched.allclose(expected, 1e-4, 1e-4).Should().BeFalse("the adapter and head change the output");
        }

        var loaded = PeftModel.Load(fresh, dir.Path);

        using var actual = fresh.forward(tokens);
        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        loaded.TrainableParameters().Should().BeEmpty("a loaded adapter is for inference unless asked to train");
        expected.Dispose();
    }

    [Fact]
    public void Saved_files_follow_the_reference_format()
    {
        using var dir = new TempDirectory();
        using var model = BaseModel();
        var peft = PeftModel.Create(model, Config());

        peft.SaveAdapters(dir.Path);

        using (var file = Safetensors.Open(dir.File(PeftModel.WeightsFileName)))
        {
            file.Metadata.Should().Equal(new Dictionary<string, string> { ["format"] = "pt" });
            file.Tensors.Should().OnlyContain(t => t.DType == "F32");
            file.Tensors.ToDictionary(t => t.Name, t => t.ShapeText).Should().Equal(new Dictionary<string, string>
            {
                [P + "embeddings.lora_embedding_A"] = "[2, 20]",
                [P + "embeddings.lora_embedding_B"] = "[8, 2]",
                [P + "layers.0.attention.query.lora_A.weight"] = "[2, 8]",
                [P + "layers.0.attention.query.lora_B.weight"] = "[8, 2]",
                [P + "layers.0.attention.value.lora_A.weight"] = "[2, 8]",
                [P + "layers.0.attention.value.lora_B.weight"] = "[8, 2]",
                [P + "layers.1.attention.query.lora_A.weight"] = "[2, 8]",
                [P + "layers.1.attention.query.lora_B.weight"] = "[8, 2]",
                [P + "layers.1.attention.value.lora_A.weight"] = "[2, 8]",
                [P + "layers.1.attention.value.lora_B.weight"] = "[8, 2]",
                [P + "classifier.weight"] = "[3, 8]",
                [P + "classifier.bias"] = "[3]",
            });
        }

        var text = File.ReadAllText(dir.File(AdapterConfigJson.FileName));
        text.Should().StartWith("{\n  \"alpha_pattern\": {},\n  \"auto_mapping\": null,\n  \"base_model_name_or_path\": null,\n  \"bias\": \"none\",\n");
        text.Should().Contain("\n  \"lora_alpha\": 16,\n").And.Contain("\n  \"lora_dropout\": 0.0,\n").And.Contain("\n  \"r\": 2,\n");
        text.Should().Contain("\"target_modules\": [\n    \"embeddings\",\n    \"query\",\n    \"value\"\n  ],");
        using var json = JsonDocument.Parse(text);
        var keys = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        keys.Should().BeInAscendingOrder(StringComparer.Ordinal);
        keys.Should().Contain(["peft_type", "r", "lora_alpha", "lora_dropout", "target_modules", "modules_to_save", "bias", "use_rslora",
            "use_dora", "init_lora_weights", "rank_pattern", "alpha_pattern", "fan_in_fan_out", "layers_to_transform", "layers_pattern",
            "base_model_name_or_path", "revision", "task_type", "inference_mode", "peft_version"]);
        var root = json.RootElement;
        root.GetProperty("peft_type").GetString().Should().Be("LORA");
        root.GetProperty("inference_mode").GetBoolean().Should().BeTrue();
        root.GetProperty("init_lora_weights").GetBoolean().Should().BeTrue();
        root.GetProperty("fan_in_fan_out").GetBoolean().Should().BeFalse();
        root.GetProperty("task_type").GetString().Should().Be("SEQ_CLS");
        root.GetProperty("modules_to_save").EnumerateArray().Select(e => e.GetString()).Should().Equal("classifier");
    }

    [Fact]
    public void Dora_ia3_and_non_default_adapters_use_the_reference_keys_and_subfolders()
    {
        using var dir = new TempDirectory();
        using var model = BaseModel();
        var peft = PeftModel.Create(model, new LoraConfig { R = 2, UseDora = true, InitLoraWeights = LoraInit.Gaussian, TargetModules = TargetModules.Regex(@".*\.query") });
        peft.AddAdapter("scaling", new IA3Config { TargetModules = TargetModules.Of("key", "ffn.2"), FeedforwardModules = TargetModules.Of("ffn.2") });

        peft.SaveAdapters(dir.Path);

        using (var dora = Safetensors.Open(dir.File(PeftModel.WeightsFileName)))
        {
            dora.Tensors.Select(t => (t.Name, t.ShapeText)).Should().Contain((P + "layers.0.attention.query.lora_magnitude_vector", "[8]"));
            dora.Tensors.Should().HaveCount(6);
        }

        var text = File.ReadAllText(dir.File(AdapterConfigJson.FileName));
        text.Should().Contain("\"target_modules\": \".*\\\\.query\"").And.Contain("\"use_dora\": true").And.Contain("\"init_lora_weights\": \"gaussian\"");

        var sub = Path.Combine(dir.Path, "scaling");
        using (var ia3 = Safetensors.Open(Path.Combine(sub, PeftModel.WeightsFileName)))
        {
            ia3.Tensors.ToDictionary(t => t.Name, t => t.ShapeText).Should().Equal(new Dictionary<string, string>
            {
                [P + "layers.0.attention.key.ia3_l"] = "[8, 1]",
                [P + "layers.1.attention.key.ia3_l"] = "[8, 1]",
                [P + "layers.0.ffn.2.ia3_l"] = "[1, 16]",
                [P + "layers.1.ffn.2.ia3_l"] = "[1, 16]",
            });
        }

        using var ia3Json = JsonDocument.Parse(File.ReadAllText(Path.Combine(sub, AdapterConfigJson.FileName)));
        ia3Json.RootElement.GetProperty("peft_type").GetString().Should().Be("IA3");
        ia3Json.RootElement.GetProperty("feedforward_modules").EnumerateArray().Select(e => e.GetString()).Should().Equal("ffn.2");

        // Both load back, the IA3 adapter from its subfolder under its own name.
        using var fresh = BaseModel();
        var loaded = PeftModel.Load(fresh, dir.Path);
        loaded.LoadAdapter(sub, "scaling");
        loaded.AdapterLayers.Should().HaveCount(6);
        loaded.AdapterLayers.Select(l => l.Layer).OfType<IA3Linear>().Count(l => l.IsFeedForward).Should().Be(2);
    }

    [Fact]
    public void A_fixture_written_by_hand_with_the_reference_key_names_loads_and_unknown_keys_are_ignored()
    {
        using var dir = new TempDirectory();

        // What Python PEFT writes: a config with keys this version does not know, and tensors under reference names.
        File.WriteAllText(dir.File("adapter_config.json"), """
            {
              "peft_type": "LORA",
              "r": 2,
              "lora_alpha": 4,
              "target_modules": ["query"],
              "modules_to_save": null,
              "use_rslora": false,
              "some_future_option": {"nested": [1, 2, 3]},
              "target_parameters": null,
              "eva_config": null,
              "peft_version": "0.99.0.dev0"
            }
            """);
        manual_seed(9);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var layer in new[] { 0, 1 })
        {
            tensors[$"{P}layers.{layer}.attention.query.lora_A.weight"] = randn(2, 8);
            tensors[$"{P}layers.{layer}.attention.query.lora_B.weight"] = randn(8, 2);
        }

        Safetensors.Save(dir.File("adapter_model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var model = BaseModel();
        var peft = PeftModel.Load(model, dir.Path);

        var query = (LoraLinear)peft.AdapterLayers.First().Layer;
        query.LoraA.weight!.allclose(tensors[P + "layers.0.attention.query.lora_A.weight"], 0, 0).Should().BeTrue();
        query.Scaling.Should().Be(2);
        using var x = randn(4, 8);
        using var expected = Reference.LinearLora(x, query.BaseLayer, tensors[P + "layers.0.attention.query.lora_A.weight"],
            tensors[P + "layers.0.attention.query.lora_B.weight"], 2);
        Reference.RelativeError(query.forward(x), expected).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Loading_lists_every_missing_unexpected_and_mismatched_key_and_leaves_the_model_unchanged()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("adapter_config.json"), """{"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["query", "value"]}""");
        var tensors = new Dictionary<string, Tensor>
        {
            [P + "layers.0.attention.query.lora_A.weight"] = zeros(2, 8),
            [P + "layers.0.attention.query.lora_B.weight"] = zeros(8, 3),
            [P + "layers.0.attention.value.lora_A.weight"] = zeros(2, 8),
            [P + "layers.0.attention.value.lora_B.weight"] = zeros(8, 2),
            [P + "layers.1.attention.query.lora_A.weight"] = zeros(2, 8),
            [P + "layers.1.attention.query.lora_B.weight"] = zeros(8, 2),
            [P + "layers.1.attention.value.lora_A.weight"] = zeros(4, 8),
            [P + "layers.1.attention.qurey.lora_B.weight"] = zeros(8, 2),
            [P + "classifier.weight"] = zeros(3, 8),
        };
        Safetensors.Save(dir.File("adapter_model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        using var model = BaseModel();
        var keysBefore = model.state_dict().Keys.ToList();

        var load = () => PeftModel.Load(model, dir.Path);

        var error = load.Should().Throw<AdapterLoadException>().Which;
        error.MissingKeys.Should().Equal(P + "layers.1.attention.value.lora_B.weight");
        error.UnexpectedKeys.Should().Equal(P + "classifier.weight", P + "layers.1.attention.qurey.lora_B.weight");
        error.ShapeMismatches.Should().Equal(
            P + "layers.0.attention.query.lora_B.weight: file [8, 3] vs model [8, 2]",
            P + "layers.1.attention.value.lora_A.weight: file [4, 8] vs model [2, 8]");
        error.Message.Should().Contain("Missing keys (1)").And.Contain("Unexpected keys (2)").And.Contain("Shape mismatches (2)");
        model.state_dict().Keys.Should().Equal(keysBefore, "a failed load leaves the model as it was");
    }

    [Theory]
    [InlineData("""{"r": 8, "target_modules": ["query"]}""", "*'peft_type' is missing*")]
    [InlineData("""{"peft_type": "LORA", "r": "eight", "target_modules": ["query"]}""", "*'r' must be an integer, got \"eight\"*")]
    [InlineData("""{"peft_type": "PREFIX_TUNING"}""", "*peft_type 'PREFIX_TUNING' is not supported*")]
    [InlineData("""not json""", "*not valid JSON*")]
    public void A_bad_config_names_the_problem(string json, string message)
    {
        var read = () => AdapterConfigJson.Read(json, "adapter_config.json");

        read.Should().Throw<Exception>().WithMessage(message);
    }

    [Fact]
    public void Bias_all_saves_every_bias_under_its_state_dict_path()
    {
        using var dir = new TempDirectory();
        using var model = BaseModel();
        var peft = PeftModel.Create(model, new LoraConfig { Bias = BiasMode.All, TargetModules = TargetModules.Of("query") });

        var keys = peft.AdapterStateDict("default").Keys.ToList();

        keys.Should().Contain([P + "layers.0.attention.query.base_layer.bias", P + "layers.0.attention.key.bias", P + "layers.1.ffn.2.bias", P + "classifier.bias"]);
        keys.Where(k => k.EndsWith(".bias", StringComparison.Ordinal)).Should().HaveCount(13);

        peft.SaveAdapters(dir.Path);
        using var fresh = BaseModel();
        PeftModel.Load(fresh, dir.Path).AdapterLayers.Should().HaveCount(2);
    }

    [Fact]
    public void An_adapter_loaded_as_trainable_trains()
    {
        using var dir = new TempDirectory();
        using (var model = BaseModel())
        {
            PeftModel.Create(model, Config()).SaveAdapters(dir.Path);
        }

        using var fresh = BaseModel();
        var peft = PeftModel.Load(fresh, dir.Path, isTrainable: true);

        // 4 query/value layers with A and B, the embedding's A and B, the head's weight and bias.
        peft.TrainableParameters().Should().HaveCount(12);
    }
}
