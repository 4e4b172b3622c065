namespace PeftSharp.Training;

/// <summary>Hyperparameters of one supervised training phase.</summary>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Rows per optimizer step.</param>
/// <param name="LearningRate">AdamW learning rate.</param>
/// <param name="WeightDecay">AdamW decoupled weight decay.</param>
/// <param name="Seed">Seed of the data order (model init and dropout are seeded by <see cref="Reproducibility.Seed"/>).</param>
/// <param name="MetricPrefix">Prefix of the logged metric keys, e.g. "train" gives "train/loss".</param>
public sealed record TrainingOptions(
    int Epochs,
    int BatchSize,
    double LearningRate,
    double WeightDecay,
    int Seed,
    string MetricPrefix = "train");
