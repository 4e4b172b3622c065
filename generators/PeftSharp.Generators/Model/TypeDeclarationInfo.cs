namespace PeftSharp.Generators.Model;

/// <summary>One type declaration to reopen in the generated file, e.g. <c>partial class Outer&lt;T&gt;</c>.</summary>
/// <param name="Keyword">The declaration keyword: class, struct, interface, record or record struct.</param>
/// <param name="Name">The type's name, escaped if it is a keyword.</param>
/// <param name="TypeParameters">The type parameter list including angle brackets, or empty.</param>
internal sealed record TypeDeclarationInfo(string Keyword, string Name, string TypeParameters)
{
    public string Render() => $"partial {Keyword} {Name}{TypeParameters}";
}
