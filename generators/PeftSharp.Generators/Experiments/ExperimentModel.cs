namespace PeftSharp.Generators.Experiments;

using PeftSharp.Generators.Common;
using PeftSharp.Generators.Model;

/// <summary>What the experiment emitter needs for one class, and what to report instead when it is broken.</summary>
/// <param name="Class">The class to extend.</param>
/// <param name="Name">The experiment name.</param>
/// <param name="Description">The help description.</param>
/// <param name="Parameters">The hyperparameters in declaration order.</param>
/// <param name="ModelMember">The [Model] member, or empty.</param>
/// <param name="DatasetMember">The [Dataset] member, or empty.</param>
/// <param name="Diagnostics">Problems found; any error suppresses generation.</param>
internal sealed record ExperimentModel(
    TargetClassInfo Class,
    string Name,
    string Description,
    EquatableArray<ParameterModel> Parameters,
    string ModelMember,
    string DatasetMember,
    EquatableArray<DiagnosticInfo> Diagnostics);
