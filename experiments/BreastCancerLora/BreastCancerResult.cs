namespace BreastCancerLora;

using PeftSharp.Training;

/// <summary>What one run of the experiment measured (the runner adds the run id and status: <c>RunResult</c>).</summary>
/// <param name="SiteATest">The pretrained model on held-out site A rows.</param>
/// <param name="SiteBBefore">The pretrained model on the site B test rows, before adaptation.</param>
/// <param name="SiteBAfter">The adapted (or, for scratch, site-B-only) model on the same site B test rows.</param>
/// <param name="Parameters">Trainable and total parameters during adaptation.</param>
/// <param name="Method">How the site B model was obtained.</param>
/// <param name="SiteBRocAucBefore">ROC AUC of the malignancy probability on the site B test rows, before adaptation.</param>
/// <param name="SiteBRocAuc">The same after adaptation.</param>
public sealed record BreastCancerResult(
    Evaluation SiteATest,
    Evaluation SiteBBefore,
    Evaluation SiteBAfter,
    ParameterReport Parameters,
    AdaptationMethod Method,
    double SiteBRocAucBefore,
    double SiteBRocAuc);
