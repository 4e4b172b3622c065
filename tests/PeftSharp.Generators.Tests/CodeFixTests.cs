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
