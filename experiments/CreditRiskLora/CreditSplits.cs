namespace CreditRiskLora;

using System;
using System.Linq;
using CreditRiskLora.Data;
using PeftSharp.Data;

/// <summary>
/// The rows each phase uses, all stratified by label and seeded: the source 80/20 into pretraining and validation
/// rows; the target into test rows (<see cref="CreditRiskOptions.TestFraction"/>) and adaptation rows, those 80/20
/// into training and validation rows (optionally capped to <see cref="CreditRiskOptions.TargetTrainRows"/>).
/// </summary>
public sealed record CreditSplits(CreditTable SourceTrain, CreditTable SourceValidation, CreditTable TargetTrain, CreditTable TargetValidation, CreditTable TargetTest)
{
    /// <summary>Splits <paramref name="source"/> and <paramref name="target"/> as the options say.</summary>
    public static CreditSplits Create(CreditTable source, CreditTable target, CreditRiskOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var (sourceTrain, sourceValidation) = Stratified(source, Enumerable.Range(0, source.Count).ToArray(), 0.8, options.Seed);
        var (adapt, test) = Stratified(target, Enumerable.Range(0, target.Count).ToArray(), 1 - options.TestFraction, options.Seed);
        var (targetTrain, targetValidation) = Stratified(target, adapt, 0.8, options.Seed + 1);
        if (options.TargetTrainRows is { } cap && cap < targetTrain.Length)
        {
            targetTrain = Stratified(target, targetTrain, (double)cap / targetTrain.Length, options.Seed + 2).First;
        }

        return new CreditSplits(
            source.Select(sourceTrain), source.Select(sourceValidation), target.Select(targetTrain), target.Select(targetValidation), target.Select(test));
    }

    private static (int[] First, int[] Second) Stratified(CreditTable table, int[] rows, double fraction, int seed) =>
        DataSplits.Stratified(rows, r => table.Bad[r], fraction, seed);
}
