namespace BreastCancerLora;

using PeftSharp.Training;

/// <summary>What one run of the experiment measured.</summary>
/// <param name="RunId">MLflow run id.</param>
/// <param name="RunDirectory">Where the run is recorded, for a file store; null for a server.</param>
/// <param name="SiteATest">The pretrained model on held-out site A rows.</param>
/// <param name="SiteBBefore">The pretrained model on the site B test rows, before adaptation.</param>
/// <param name="SiteBAfter">The LoRA-adapted model on the same site B test rows.</param>
/// <param name="Parameters">Trainable and total parameters during adaptation.</param>
public sealed record BreastCancerResult(
    string RunId,
    string? RunDirectory,
    Evaluation SiteATest,
    Evaluation SiteBBefore,
    Evaluation SiteBAfter,
    ParameterReport Parameters);
