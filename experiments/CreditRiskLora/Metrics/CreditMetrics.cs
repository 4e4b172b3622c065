namespace CreditRiskLora.Metrics;

using System.Collections.Generic;

/// <summary>A credit-risk scorer's quality on one set of loans ("positive" = bad loan).</summary>
/// <param name="RocAuc">ROC AUC of the bad-loan probability.</param>
/// <param name="PrAuc">Average precision (PR AUC) of the bad-loan probability; chance level is the bad rate.</param>
/// <param name="RecallAtPrecision">Share of bad loans caught at the best threshold whose precision is at least <paramref name="MinPrecision"/>.</param>
/// <param name="MinPrecision">The precision the recall is measured at.</param>
/// <param name="Accuracy">Share classified correctly by the argmax of the class-weighted model (a balanced threshold).</param>
/// <param name="Loss">Mean unweighted cross-entropy.</param>
/// <param name="Rows">Loans evaluated.</param>
/// <param name="BadRate">Share of bad loans among them.</param>
public sealed record CreditMetrics(double RocAuc, double PrAuc, double RecallAtPrecision, double MinPrecision, double Accuracy, double Loss, int Rows, double BadRate)
{
    /// <summary>The metrics as MLflow metric names under <paramref name="prefix"/> (e.g. test/roc_auc).</summary>
    public IReadOnlyDictionary<string, double> ToMetrics(string prefix) => new Dictionary<string, double>(System.StringComparer.Ordinal)
    {
        [prefix + "roc_auc"] = RocAuc,
        [prefix + "pr_auc"] = PrAuc,
        [prefix + "recall_at_precision"] = RecallAtPrecision,
        [prefix + "accuracy"] = Accuracy,
        [prefix + "loss"] = Loss,
    };
}
