namespace PeftSharp.Generators.Tests;

using System.Linq;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Xunit;

/// <summary>[LoraTarget] options, [IA3Target] and the conflicts and layer-type checks between them.</summary>
public sealed class AdapterAttributeTests
{
    [Fact]
    public void Lora_options_and_IA3_reach_the_plan_and_the_code_compiles()
    {
        var source = TestSources.Model("""
            [LoraTarget(4, Alpha = 8, UseRsLora = true, UseDora = true, Init = LoraInit.Pissa)] private nn.Module<Tensor, Tensor> a;
            [IA3Target(FeedForward = true)] private nn.Module<Tensor, Tensor> b;
            [IA3Target] private nn.Module<Tensor, Tensor> c;
            """).Replace("RegisterComponents();", "a = nn.Linear(2, 2); b = nn.Linear(2, 2); c = nn.Linear(2, 2); RegisterComponents();", System.StringComparison.Ordinal);

        var (result, output) = GeneratorHarness.Run(source);

        var text = GeneratorHarness.SingleSource(result);
        text.Should().Contain("new global::PeftSharp.AdapterTarget(\"a\", global::PeftSharp.AdapterMethod.Lora, 4, 8d, 0d) { UseRsLora = true, UseDora = true, Init = global::PeftSharp.LoraInit.Pissa }")
            .And.Contain("new global::PeftSharp.AdapterTarget(\"b\", global::PeftSharp.AdapterMethod.IA3, 1, 1d, 0d) { FeedForward = true }")
            .And.Contain("new global::PeftSharp.AdapterTarget(\"c\", global::PeftSharp.AdapterMethod.IA3, 1, 1d, 0d),");
        GeneratorHarness.Problems(output).Should().BeEmpty();
    }

    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "PEFT008",
            "LoRA cannot adapt 'conv': it holds a Conv1d (assigned in 'Model constructor'), and LoRA supports Linear, Conv2d, Embedding",
            TestSources.Model("[LoraTarget] private nn.Module<Tensor, Tensor> [|conv|];")
                .Replace("RegisterComponents();", "conv = nn.Conv1d(2, 2, 3); RegisterComponents();", System.StringComparison.Ordinal)
        },
        {
            "PEFT008",
            "DoRA cannot adapt 'emb': it holds a Embedding",
            TestSources.Model("[LoraTarget(UseDora = true)] private nn.Module<Tensor, Tensor> [|emb|] = nn.Embedding(10, 2);")
        },
        {
            "PEFT008",
            "IA3 cannot adapt 'conv': it holds a Conv2d",
            TestSources.Model("[IA3Target] private nn.Module<Tensor, Tensor> [|conv|];")
                .Replace("RegisterComponents();", "this.conv = nn.Conv2d(2, 2, 3); RegisterComponents();", System.StringComparison.Ordinal)
        },
        {
            "PEFT009",
            "'hidden' is targeted by both [LoraTarget] and [IA3Target]",
            TestSources.Model("[LoraTarget, IA3Target] private nn.Module<Tensor, Tensor> [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT004",
            "Field 'hidden' has both [IA3Target] and [Trainable]",
            TestSources.Model("[IA3Target, Trainable] private nn.Module<Tensor, Tensor> [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT002",
            "[IA3Target] field 'hidden' is declared as 'TorchSharp.Modules.Linear', a sealed layer type",
            TestSources.Model("[IA3Target] private Linear [|hidden|] = nn.Linear(2, 2);")
        },
        {
            "PEFT006",
            "[IA3Target] field 'hidden' is readonly",
            TestSources.Model("[IA3Target] private readonly nn.Module<Tensor, Tensor> [|hidden|] = nn.Linear(2, 2);")
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_diagnostic_at_the_marked_span(string id, string messagePart, string markup)
    {
        var (source, span) = GeneratorHarness.ParseMarkup(markup);
        var compilation = GeneratorHarness.CreateCompilation(source);
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty();

        var (result, _) = GeneratorHarness.Run(compilation);

        var diagnostic = result.Diagnostics.Should().ContainSingle().Subject;
        diagnostic.Id.Should().Be(id);
        diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Should().Contain(messagePart);
        diagnostic.Location.SourceSpan.Should().Be(span);
        result.GeneratedSources.Should().BeEmpty();
    }
}
