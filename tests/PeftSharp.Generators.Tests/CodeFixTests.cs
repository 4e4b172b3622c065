namespace PeftSharp.Generators.Tests;

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using PeftSharp.Generators.CodeFixes;
using Xunit;

/// <summary>Each code fix, applied through an AdhocWorkspace, removes its diagnostic and leaves code the generator accepts.</summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("PEFT001", "public sealed class Model : nn.Module<Tensor, Tensor>", "public sealed partial class Model : nn.Module<Tensor, Tensor>")]
    [InlineData("PEFT002", "[LoraTarget] private Linear hidden", "[LoraTarget] private TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> hidden")]
    [InlineData("PEFT006", "[LoraTarget] private readonly nn.Module<Tensor, Tensor> hidden", "[LoraTarget] private nn.Module<Tensor, Tensor> hidden")]
    public async Task Fix_removes_the_diagnostic(string id, string broken, string fixedText)
    {
        var source = TestSources.Model("[LoraTarget] private nn.Module<Tensor, Tensor> hidden = nn.Linear(2, 2);")
            .Replace("public sealed partial class Model : nn.Module<Tensor, Tensor>", id == "PEFT001" ? broken : "public sealed partial class Model : nn.Module<Tensor, Tensor>", System.StringComparison.Ordinal)
            .Replace("[LoraTarget] private nn.Module<Tensor, Tensor> hidden", id == "PEFT001" ? "[LoraTarget] private nn.Module<Tensor, Tensor> hidden" : broken, System.StringComparison.Ordinal);
        var document = CreateDocument(source);
        var diagnostic = (await Diagnostics(document)).Should().ContainSingle(d => d.Id == id).Subject;

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await new PeftSharpCodeFixProvider().RegisterCodeFixesAsync(context);
        var operation = (await actions.Should().ContainSingle().Subject.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
        var fixedDocument = operation.ChangedSolution.GetDocument(document.Id)!;

        var text = (await fixedDocument.GetTextAsync()).ToString();
        text.Should().Contain(fixedText);
        (await Diagnostics(fixedDocument)).Should().BeEmpty();
    }

    [Fact]
    public async Task Peft017_fix_runs_the_submodule_with_call()
    {
        var document = CreateDocument("""
            using TorchSharp;
            using static TorchSharp.torch;

            public sealed class Net : nn.Module<Tensor, Tensor>
            {
                private readonly nn.Module<Tensor, Tensor> inner = nn.Linear(4, 4);

                public Net() : base(nameof(Net)) => RegisterComponents();

                private static nn.Module<Tensor, Tensor> Make() => nn.ReLU();

                public override Tensor forward(Tensor x) => Make().forward(inner.forward(x));
            }
            """);
        var analyzers = System.Collections.Immutable.ImmutableArray.Create<DiagnosticAnalyzer>(new PeftSharp.Generators.Analyzers.SubmoduleForwardAnalyzer());
        async Task<IReadOnlyList<Diagnostic>> Peft017(Document d) =>
            (await (await d.Project.GetCompilationAsync())!.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync()).Where(x => x.Id == "PEFT017").ToList();
        var diagnostics = await Peft017(document);
        diagnostics.Should().HaveCount(2);

        // One fix at a time, each on the diagnostics of the document as the previous fix left it.
        for (var fixes = 0; fixes < 2; fixes++)
        {
            var diagnostic = (await Peft017(document))[0];
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await new PeftSharpCodeFixProvider().RegisterCodeFixesAsync(context);
            var operation = (await actions.Should().ContainSingle().Subject.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
            document = operation.ChangedSolution.GetDocument(document.Id)!;
        }

        (await document.GetTextAsync()).ToString().Should().Contain("public override Tensor forward(Tensor x) => Make().call(inner.call(x));");
        (await Peft017(document)).Should().BeEmpty();
    }

    private static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var compilation = GeneratorHarness.CreateCompilation(source);
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            "UserModels",
            "UserModels",
            LanguageNames.CSharp,
            compilationOptions: compilation.Options,
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: compilation.References));
        return workspace.AddDocument(project.Id, "Model.cs", SourceText.From(source));
    }

    private static async Task<IReadOnlyList<Diagnostic>> Diagnostics(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        var (result, _) = GeneratorHarness.Run(compilation);
        return result.Diagnostics;
    }
}
