namespace System.Runtime.CompilerServices;

/// <summary>
/// Lets records with init-only members compile for netstandard2.0, which lacks this marker type.
/// Internal so it never clashes with the type in the consuming compilation.
/// </summary>
internal static class IsExternalInit
{
}
