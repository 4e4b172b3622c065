namespace PeftSharp.Tests.Serialization;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FluentAssertions;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using Xunit;
using static TorchSharp.torch;

/// <summary>Base weights from safetensors checkpoints into existing modules, and the mismatch report.</summary>
public sealed class CheckpointLoaderTests : IDisposable
{
    private static readonly string[] AllKeys =
    [
        "query.weight", "query.bias", "value.weight", "value.bias", "norm.weight", "norm.bias",
        "batch.weight", "batch.bias", "batch.running_mean", "batch.running_var", "batch.num_batches_tracked",
        "classifier.weight", "classifier.bias",
    ];

    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_single_file_fills_every_parameter_and_buffer_in_place()
    {
        using var source = new TinyEncoder(seed: 1);
        using var target = new TinyEncoder(seed: 2);
        var path = folder.File("model.safetensors");
        SafetensorsStateDict.Save(source, path);
        var parametersBefore = target.parameters().ToList();

        var report = CheckpointLoader.LoadInto(target, path);

        report.Loaded.Should().BeEquivalentTo(AllKeys);
        report.Missing.Should().BeEmpty();
        report.Unexpected.Should().BeEmpty();
        report.Files.Should().Equal(path);
        AssertSameState(target, source);
        target.parameters().Zip(parametersBefore).Should().OnlyContain(p => ReferenceEquals(p.First, p.Second), "Parameter objects are kept");
        target.parameters().Should().OnlyContain(p => p.requires_grad);
    }

    [Fact]
    public void A_sharded_index_with_two_shards_loads_like_one_file_and_a_folder_finds_the_index()
    {
        using var source = new TinyEncoder(seed: 3);
        var state = source.state_dict();
        var first = AllKeys.Take(6).ToList();
        Safetensors.Save(folder.File("model-00001-of-00002.safetensors"), first.Select(k => new KeyValuePair<string, Tensor>(k, state[k])));
        Safetensors.Save(folder.File("model-00002-of-00002.safetensors"), AllKeys.Skip(6).Select(k => new KeyValuePair<string, Tensor>(k, state[k])));
        WriteIndex(AllKeys.ToDictionary(k => k, k => first.Contains(k) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors"));

        using var viaIndex = new TinyEncoder(seed: 4);
        using var viaFolder = new TinyEncoder(seed: 5);
        var report = CheckpointLoader.LoadInto(viaIndex, folder.File(CheckpointLoader.IndexFileName));
        CheckpointLoader.LoadInto(viaFolder, folder.Path);

        report.Files.Select(Path.GetFileName).Should().Equal("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        report.Loaded.Should().HaveCount(AllKeys.Length);
        AssertSameState(viaIndex, source);
        AssertSameState(viaFolder, source);
    }

    [Fact]
    public void A_name_map_strips_a_prefix_and_skips_keys()
    {
        using var source = new TinyEncoder(seed: 6);
        var path = folder.File("bert.safetensors");
        using var pooler = ones(3);
        Safetensors.Save(path, source.state_dict().Select(kv => new KeyValuePair<string, Tensor>("bert." + kv.Key, kv.Value)).Append(new("bert.pooler.weight", pooler)));
        using var target = new TinyEncoder(seed: 7);

        var report = CheckpointLoader.LoadInto(
            target, path, key => key.StartsWith("bert.pooler.", StringComparison.Ordinal) ? null : key["bert.".Length..]);

        report.Skipped.Should().Equal("bert.pooler.weight");
        report.Loaded.Should().HaveCount(AllKeys.Length);
        AssertSameState(target, source);
    }

    [Fact]
    public void A_mismatch_lists_every_missing_and_unexpected_key_and_shape_with_suggestions()
    {
        using var source = new TinyEncoder(seed: 8, classes: 3);
        var state = source.state_dict();
        var path = folder.File("bad.safetensors");
        using var extra = zeros(5);
        var entries = state
            .Where(kv => kv.Key != "norm.bias" && kv.Key != "batch.running_var")
            .Select(kv => new KeyValuePair<string, Tensor>(kv.Key == "query.weight" ? "encoder.query.weight" : kv.Key, kv.Value))
            .Append(new("pooler.dense.weight", extra));
        Safetensors.Save(path, entries);
        using var target = new TinyEncoder(seed: 9);

        var act = () => CheckpointLoader.LoadInto(target, path);

        var error = act.Should().Throw<CheckpointMismatchException>().Which;
        error.MissingKeys.Should().BeEquivalentTo("norm.bias", "batch.running_var", "query.weight");
        error.UnexpectedKeys.Should().BeEquivalentTo("encoder.query.weight", "pooler.dense.weight");
        error.ShapeMismatches.Select(m => m.ModuleKey).Should().BeEquivalentTo("classifier.weight", "classifier.bias");
        error.Message.Should().Contain($"The checkpoint '{path}' does not fit the module TinyEncoder: 3 missing keys, 2 unexpected keys, 2 shape mismatches. Nothing was loaded.")
            .And.Contain("\n  query.weight (closest in the checkpoint: 'encoder.query.weight'")
            .And.Contain("\n  norm.bias")
            .And.Contain("\n  batch.running_var")
            .And.Contain("Unexpected keys (in the checkpoint, not in the module):\n  encoder.query.weight\n  pooler.dense.weight")
            .And.Contain("\n  'classifier.weight': module [2, 4], checkpoint [3, 4]")
            .And.Contain("\n  'classifier.bias': module [2], checkpoint [3]")
            .And.Contain("Fix: pass a nameMap");
    }

    [Fact]
    public void Loading_base_weights_into_a_model_that_already_has_adapters_explains_the_order()
    {
        using var source = new TinyEncoder(seed: 21);
        var path = folder.File("base.safetensors");
        SafetensorsStateDict.Save(source, path);
        using var target = new TinyEncoder(seed: 22);
        target.WrapQueryWithLora();

        var act = () => CheckpointLoader.LoadInto(target, path);

        act.Should().Throw<CheckpointMismatchException>()
            .WithMessage("*\n  query.base_layer.weight (closest in the checkpoint: 'query.weight'*load base weights before applying adapters*");
        var report = CheckpointLoader.LoadInto(
            target,
            path,
            key => key.StartsWith("query.", StringComparison.Ordinal) ? "query.base_layer." + key["query.".Length..] : key,
            new CheckpointLoadOptions { Strict = false });
        report.Missing.Should().BeEquivalentTo("query.lora_A.default.weight", "query.lora_B.default.weight");
        report.Loaded.Should().Contain("query.base_layer.weight");
    }

    [Fact]
    public void Nothing_is_modified_when_loading_fails()
    {
        using var source = new TinyEncoder(seed: 10, classes: 3);
        var path = folder.File("shape.safetensors");
        SafetensorsStateDict.Save(source, path);
        using var target = new TinyEncoder(seed: 11);
        using var snapshot = new TinyEncoder(seed: 11);

        var act = () => CheckpointLoader.LoadInto(target, path, options: new CheckpointLoadOptions { Strict = false });

        act.Should().Throw<CheckpointMismatchException>().Which.ShapeMismatches.Should().HaveCount(2);
        AssertSameState(target, snapshot);
    }

    [Fact]
    public void Non_strict_loading_reports_missing_and_unexpected_keys_and_loads_the_rest()
    {
        using var source = new TinyEncoder(seed: 12);
        var path = folder.File("partial.safetensors");
        using var extra = zeros(1);
        Safetensors.Save(path, source.state_dict().Where(kv => !kv.Key.StartsWith("classifier.", StringComparison.Ordinal)).Append(new("head.weight", extra)));
        using var target = new TinyEncoder(seed: 13);
        using var untouched = new TinyEncoder(seed: 13);

        var report = CheckpointLoader.LoadInto(target, path, options: new CheckpointLoadOptions { Strict = false });

        report.Missing.Should().BeEquivalentTo("classifier.weight", "classifier.bias");
        report.Unexpected.Should().Equal("head.weight");
        report.Loaded.Should().HaveCount(AllKeys.Length - 2);
        var state = target.state_dict();
        state["query.weight"].equal(source.state_dict()["query.weight"]).all().item<bool>().Should().BeTrue();
        state["classifier.weight"].equal(untouched.state_dict()["classifier.weight"]).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void A_dtype_difference_is_an_error_unless_conversion_is_allowed()
    {
        using var source = new TinyEncoder(seed: 14);
        var path = folder.File("f64.safetensors");
        var converted = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Key == "query.weight" ? kv.Value.to(ScalarType.Float64) : kv.Value.alias());
        Safetensors.Save(path, converted);
        using var target = new TinyEncoder(seed: 15);

        var strict = () => CheckpointLoader.LoadInto(target, path);
        strict.Should().Throw<CheckpointMismatchException>()
            .WithMessage("*1 dtype mismatch*Dtype mismatches (set CheckpointLoadOptions.AllowDtypeConversion to convert):\n  'query.weight': module F32, checkpoint F64*");

        var report = CheckpointLoader.LoadInto(target, path, options: new CheckpointLoadOptions { AllowDtypeConversion = true });

        report.Converted.Should().Equal("query.weight");
        target.state_dict()["query.weight"].dtype.Should().Be(ScalarType.Float32);
        AssertSameState(target, source);
        foreach (var t in converted.Values)
        {
            t.Dispose();
        }
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("sub/../../outside.safetensors")]
    [InlineData("/etc/passwd")]
    public void A_weight_map_that_points_outside_the_folder_is_rejected(string shard)
    {
        using var source = new TinyEncoder(seed: 16);
        var inner = Directory.CreateDirectory(Path.Combine(folder.Path, "checkpoint")).FullName;
        SafetensorsStateDict.Save(source, Path.Combine(folder.Path, "outside.safetensors"));
        var index = Path.Combine(inner, CheckpointLoader.IndexFileName);
        File.WriteAllText(index, $"{{\"metadata\":{{\"total_size\":0}},\"weight_map\":{{\"query.weight\":\"{shard}\"}}}}");
        using var target = new TinyEncoder(seed: 17);

        var act = () => CheckpointLoader.LoadInto(target, index);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{index}' is not a valid sharded-checkpoint index: the shard '{shard}' of 'query.weight' *");
    }

    [Fact]
    public void An_index_naming_a_tensor_its_shard_lacks_or_a_missing_shard_is_rejected()
    {
        using var source = new TinyEncoder(seed: 18);
        SafetensorsStateDict.Save(source, folder.File("a.safetensors"));
        using var target = new TinyEncoder(seed: 19);

        WriteIndex(new Dictionary<string, string> { ["query.weight"] = "a.safetensors", ["ghost.weight"] = "a.safetensors" });
        var lacking = () => CheckpointLoader.LoadInto(target, folder.Path);
        lacking.Should().Throw<InvalidDataException>().WithMessage("*says 'ghost.weight' is in 'a.safetensors', but that shard has no such tensor.");

        WriteIndex(new Dictionary<string, string> { ["query.weight"] = "b.safetensors" });
        var missingShard = () => CheckpointLoader.LoadInto(target, folder.Path);
        missingShard.Should().Throw<FileNotFoundException>().WithMessage("*names the shard 'b.safetensors' (for 'query.weight'), which does not exist*");

        File.WriteAllText(folder.File(CheckpointLoader.IndexFileName), "{\"weight_map\": [1]}");
        var malformed = () => CheckpointLoader.LoadInto(target, folder.Path);
        malformed.Should().Throw<InvalidDataException>().WithMessage("*has no \"weight_map\" object*");
    }

    [Fact]
    public void A_module_state_dict_saves_with_reference_metadata_and_a_key_map()
    {
        using var source = new TinyEncoder(seed: 20);
        var path = folder.File("prefixed.safetensors");

        var saved = SafetensorsStateDict.Save(source, path, key => key.StartsWith("batch.", StringComparison.Ordinal) ? null : "model." + key);

        using var file = Safetensors.Open(path);
        file.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["format"] = "pt" });
        saved.Should().HaveCount(8).And.OnlyContain(k => k.StartsWith("model.", StringComparison.Ordinal));
        file.Tensors.Select(t => t.Name).Should().BeEquivalentTo(saved);
    }

    private static void AssertSameState(TinyEncoder actual, TinyEncoder expected)
    {
        var expectedState = expected.state_dict();
        foreach (var (key, value) in actual.state_dict())
        {
            value.bytes.ToArray().Should().Equal(expectedState[key].bytes.ToArray(), $"'{key}' holds the checkpoint's value");
        }
    }

    private void WriteIndex(Dictionary<string, string> weightMap)
    {
        var entries = string.Join(",", weightMap.Select(kv => $"\"{kv.Key}\":\"{kv.Value}\""));
        File.WriteAllText(folder.File(CheckpointLoader.IndexFileName), $"{{\"metadata\":{{\"total_size\":1}},\"weight_map\":{{{entries}}}}}");
    }
}
