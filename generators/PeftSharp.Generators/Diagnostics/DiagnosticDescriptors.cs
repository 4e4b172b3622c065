namespace PeftSharp.Generators.Diagnostics;

using Microsoft.CodeAnalysis;

/// <summary>
/// Every diagnostic the generator reports. Ids are stable: they are documented in docs/diagnostics.md and users may
/// suppress them by id, so an id is never reused for a different problem.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "PeftSharp";

    public static readonly DiagnosticDescriptor TypeNotPartial = new(
        id: "PEFT001",
        title: "Type must be partial",
        messageFormat: "{0} '{1}' must be partial because PeftSharp generates the adapter wiring of '{2}' into it; add the 'partial' modifier ('partial {0} {1}')",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FieldCannotHoldAdapter = new(
        id: "PEFT002",
        title: "Adapter field must be declared as Module<Tensor, Tensor>",
        messageFormat: "[LoraTarget] field '{0}' is declared as '{1}'{2}, so it cannot hold the LoRA wrapper that ApplyAdapters() assigns to it; declare it as 'Module<Tensor, Tensor>' (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidHyperparameter = new(
        id: "PEFT003",
        title: "Adapter hyperparameter out of range",
        messageFormat: "[LoraTarget] on field '{0}': {1} is {2}, but it must be {3}; change the {1} argument",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor AdapterAndTrainable = new(
        id: "PEFT004",
        title: "Field is both an adapter target and trainable",
        messageFormat: "Field '{0}' has both [LoraTarget] and [Trainable]; a layer is either adapted (only its LoRA weights train) or fully trainable, so remove one of the two attributes",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotAModule = new(
        id: "PEFT005",
        title: "Class with adapter fields must derive from nn.Module",
        messageFormat: "Class '{0}' has [LoraTarget] or [Trainable] fields but does not derive from TorchSharp.torch.nn.Module; derive it from nn.Module<Tensor, Tensor> (or another nn.Module type) or remove the attributes",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FieldNotAssignable = new(
        id: "PEFT006",
        title: "Annotated field must be a writable instance field",
        messageFormat: "[{0}] field '{1}' is {2}, but {3}; remove {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TrainableNotAModule = new(
        id: "PEFT007",
        title: "Trainable field must be a TorchSharp module",
        messageFormat: "[Trainable] field '{0}' is declared as '{1}', which is not a TorchSharp module, so no submodule named '{2}' will exist to keep trainable; apply [Trainable] only to fields whose type derives from nn.Module",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
