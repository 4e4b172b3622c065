namespace PeftSharp.Generators.Emit;

using System.Text;

/// <summary>
/// Builds generated source with four-space indentation and '\n' line endings, so the output is identical on every
/// machine (Environment.NewLine would make it depend on the build host).
/// </summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder builder = new();
    private int depth;

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            builder.Append(' ', depth * 4).Append(text);
        }

        builder.Append('\n');
    }

    public void Open()
    {
        Line("{");
        depth++;
    }

    public void Close(string text = "}")
    {
        depth--;
        Line(text);
    }

    public void Indent() => depth++;

    public void Outdent() => depth--;

    public override string ToString() => builder.ToString();
}
