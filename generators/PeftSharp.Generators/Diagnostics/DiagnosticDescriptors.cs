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
        messageFormat: "{0} '{1}' must be partial because PeftSharp generates the {3} of '{2}' into it; add the 'partial' modifier ('partial {0} {1}')",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FieldCannotHoldAdapter = new(
        id: "PEFT002",
        title: "Adapter field must be declared as Module<Tensor, Tensor>",
        messageFormat: "[{3}] field '{0}' is declared as '{1}'{2}, so it cannot hold the adapter wrapper that ApplyAdapters() assigns to it; declare it as 'Module<Tensor, Tensor>' (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidHyperparameter = new(
        id: "PEFT003",
        title: "Adapter hyperparameter out of range",
        messageFormat: "[{4}] on '{0}': {1} is {2}, but it must be {3}; change the {1} argument",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor AdapterAndTrainable = new(
        id: "PEFT004",
        title: "Field is both an adapter target and trainable",
        messageFormat: "Field '{0}' has both [{1}] and [Trainable]; a layer is either adapted (only its adapter weights train) or fully trainable, so remove one of the two attributes",
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

    public static readonly DiagnosticDescriptor UnsupportedLayerType = new(
        id: "PEFT008",
        title: "Adapter method does not support the layer type",
        messageFormat: "{0} cannot adapt '{1}': it holds a {2} (assigned in '{3}'), and {0} supports {4}; target a supported layer or use another method",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TargetedTwice = new(
        id: "PEFT009",
        title: "Layer is targeted by two adapters",
        messageFormat: "'{0}' is targeted by both {1} and {2}; a layer takes one adapter, so remove one of the two",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TargetMatchesNothing = new(
        id: "PEFT010",
        title: "Class-level target matches no layer",
        messageFormat: "[{0}] on '{1}': {2}; {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NestedLayerUnreachable = new(
        id: "PEFT011",
        title: "Nested layer cannot be reached without reflection",
        messageFormat: "[{0}] on '{1}' matches '{2}', which is {3}; {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedHyperparameterType = new(
        id: "PEFT012",
        title: "Hyperparameter type is not supported",
        messageFormat: "Hyperparameter '{0}' of experiment '{1}' has type '{2}', which cannot be read from a command line; use int, long, double, float, bool, string, an enum or a nullable of these (or make the property get-only to exclude it)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateParameterName = new(
        id: "PEFT013",
        title: "Two hyperparameters share a command-line name",
        messageFormat: "Hyperparameters '{0}' and '{1}' of experiment '{2}' are both named --{3}; give one a different [Hyperparameter(Name = ...)]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ExperimentWithoutModelOrDataset = new(
        id: "PEFT014",
        title: "Experiment has no model or no dataset",
        messageFormat: "Experiment '{0}' declares no {1}; add a member marked {2} (a parameterless method or a get-only property)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidHyperparameterDeclaration = new(
        id: "PEFT015",
        title: "Hyperparameter declaration is inconsistent",
        messageFormat: "Hyperparameter '{0}': {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TemporaryScalar = new(
        id: "PEFT016",
        title: "TorchSharp Scalar created as a temporary",
        messageFormat: "This {0} becomes a temporary TorchSharp Scalar that its finalizer can free while LibTorch still reads it (TorchSharp 0.107 does not keep it alive during the native call), which fails at random with 'Unknown scalar type' or reads another value; hold it for the call: 'using var s = value.ToScalar();' or a field disposed with its owner",
        category: "Reliability",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SubmoduleForward = new(
        id: "PEFT017",
        title: "Submodule run with forward() skips its hooks",
        messageFormat: "'{0}.forward(...)' skips the hooks registered on '{0}': TorchSharp runs hooks only through call(), so forward hooks and the input casts of a bfloat16 frozen base (--base-dtype bfloat16) do not run; use '{0}.call(...)'",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);
}
