namespace PeftSharp.Tests.Adapters;

using System.Linq;
using FluentAssertions;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using PeftSharp.Tests.Lora;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

/// <summary>Generated models through the run-time API, and adapters after <c>.to(dtype)</c>.</summary>
public sealed class GeneratedAndDtypeTests
{
    private const string P = "base_model.model.";

    [Fact]
    public void A_generated_model_saves_in_the_reference_format_and_loads_into_an_unadapted_copy()
    {
        using var dir = new TempDirectory();
        using var input = randn(4, 20);
        manual_seed(30);
        using var model = new GoldenMlp();
        var applied = model.ApplyAdapters(new AdapterOverrides(Rank: 2, Alpha: 4));
        var peft = PeftModel.FromAppliedPlan(model, applied, model.TrainableModules);
        using (var noGrad = no_grad())
        {
            foreach (var (_, t) in peft.AdapterStateDict("default"))
            {
                t.normal_(0, 0.05);
            }
        }

        using var expected = model.forward(input);
        peft.SaveAdapters(dir.Path);

        using (var file = Safetensors.Open(dir.File(PeftModel.WeightsFileName)))
        {
            file.Tensors.Select(t => t.Name).Should().BeEquivalentTo(
                P + "lin0.lora_A.weight", P + "lin0.lora_B.weight", P + "lin1.lora_A.weight", P + "lin1.lora_B.weight",
                P + "lin2.weight", P + "lin2.bias");
        }

        manual_seed(30);
        using var fresh = new GoldenMlp();
        PeftModel.Load(fresh, dir.Path);
        using var actual = fresh.forward(input);
        actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Adapters_follow_the_model_to_another_dtype_and_save_as_trained()
    {
        using var dir = new TempDirectory();
        manual_seed(31);
        using var model = new TinyEncoder();
        var peft = PeftModel.Create(model, new LoraConfig { UseDora = true, TargetModules = TargetModules.Of("query", "ffn.0") });
        peft.AddAdapter("ia3", new IA3Config { TargetModules = TargetModules.Of("value") });
        peft.SetActiveAdapters("default", "ia3");

        model.to(bfloat16);

        peft.AdapterStateDict("default").Values.Should().OnlyContain(t => t.dtype == bfloat16);
        peft.TrainableParameters().Should().OnlyContain(p => p.dtype == bfloat16);
        using var tokens = tensor(new long[] { 1, 2, 3, 4 }).reshape(1, 4);
        using (var output = model.forward(tokens))
        {
            output.dtype.Should().Be(bfloat16);
        }

        peft.SaveAdapters(dir.Path);
        using var file = Safetensors.Open(dir.File(PeftModel.WeightsFileName));
        file.Tensors.Should().OnlyContain(t => t.DType == "BF16");
    }
}
