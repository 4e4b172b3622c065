namespace PeftSharp.Training.Experiments;

using System.Collections.Generic;

/// <summary>Everything the generator knows about an experiment class, for binding, help, logging and the runner.</summary>
/// <param name="Name">The experiment name from <see cref="ExperimentAttribute"/>.</param>
/// <param name="Description">The description for <c>--help</c>, or empty.</param>
/// <param name="Parameters">The hyperparameters in declaration order.</param>
/// <param name="ModelMember">The <see cref="ModelAttribute"/> member's name.</param>
/// <param name="DatasetMember">The <see cref="DatasetAttribute"/> member's name.</param>
public sealed record ExperimentInfo(
    string Name,
    string Description,
    IReadOnlyList<ExperimentParameter> Parameters,
    string ModelMember,
    string DatasetMember);
