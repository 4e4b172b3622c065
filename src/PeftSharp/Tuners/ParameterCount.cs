namespace PeftSharp;

/// <summary>The parameters one module holds directly (not through its submodules).</summary>
/// <param name="Module">The module's dotted path (empty for the root).</param>
/// <param name="Trainable">Elements of its parameters with <c>requires_grad</c>.</param>
/// <param name="Total">Elements of all its parameters.</param>
public sealed record ParameterCount(string Module, long Trainable, long Total);
