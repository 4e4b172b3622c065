namespace PeftSharp;

using System;

/// <summary>
/// Keeps the annotated module fully trainable while the rest of the model is frozen, and saves it with the adapter
/// (the reference's <c>modules_to_save</c>, typically a new classification head).
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class TrainableAttribute : Attribute
{
}
