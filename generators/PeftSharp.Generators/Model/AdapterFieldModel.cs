namespace PeftSharp.Generators.Model;

/// <summary>A field the generated <c>ApplyAdapters()</c> wraps with an adapter.</summary>
/// <param name="FieldName">The field's identifier as written in C# (escaped if it is a keyword).</param>
/// <param name="ComponentName">The TorchSharp component name: the state-dict key and module path.</param>
/// <param name="Method">The <c>PeftSharp.AdapterMethod</c> member name.</param>
/// <param name="Rank">The rank from the attribute.</param>
/// <param name="Alpha">The alpha from the attribute or its default.</param>
/// <param name="Dropout">The dropout from the attribute or its default.</param>
/// <param name="IsNullable">Whether the field is declared nullable, so the generated read needs a null-forgiving operator.</param>
internal sealed record AdapterFieldModel(
    string FieldName,
    string ComponentName,
    string Method,
    int Rank,
    double Alpha,
    double Dropout,
    bool IsNullable);
