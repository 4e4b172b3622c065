namespace KeywordSpottingLora.Data;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PeftSharp.Data;

/// <summary>
/// The experiment's splits, in memory and standardised with the source training set's mean and standard deviation
/// (one scalar each: the pretrained model's preprocessing, which the target accent inherits).
/// Source accents: 90% pretraining, 10% validation (stratified by keyword). Target accent: the adaptation voices
/// split 80/20 into adaptation training and validation; the other voices are the test set.
/// </summary>
public sealed record KeywordData(
    TabularData SourceTrain,
    TabularData SourceValidation,
    TabularData TargetTrain,
    TabularData TargetValidation,
    TabularData TargetTest,
    float Mean,
    float Std,
    IReadOnlyList<DatasetRecord> Records,
    string EspeakVersion)
{
    /// <summary>Reads the plan's files from <paramref name="dataDirectory"/> and splits them with <paramref name="seed"/>.</summary>
    public static async Task<KeywordData> LoadAsync(CorpusPlan plan, string dataDirectory, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var files = new List<KeywordFile>();
        foreach (var path in plan.SourceAccents.Select(a => KeywordCorpus.PathOf(dataDirectory, a))
            .Append(KeywordCorpus.AdaptationPath(dataDirectory, plan)).Append(KeywordCorpus.TestPath(dataDirectory, plan)))
        {
            files.Add(await KeywordCorpus.ReadAsync(path, plan, cancellationToken).ConfigureAwait(false));
        }

        var source = Concatenate(files.Take(plan.SourceAccents.Count).Select(f => f.Data).ToList());
        var adapt = files[^2].Data;
        var test = files[^1].Data;

        var (sourceTrain, sourceValidation) = DataSplits.Stratified(Enumerable.Range(0, source.Count).ToArray(), source.Label, 0.9, seed);
        var (targetTrain, targetValidation) = DataSplits.Stratified(Enumerable.Range(0, adapt.Count).ToArray(), adapt.Label, 0.8, seed);
        var train = source.Select(sourceTrain);
        var (mean, std) = Statistics(train);
        TabularData Scale(TabularData d) => d.MapFeatures((_, _, v) => (v - mean) / std);
        return new KeywordData(
            Scale(train), Scale(source.Select(sourceValidation)), Scale(adapt.Select(targetTrain)), Scale(adapt.Select(targetValidation)), Scale(test), mean, std,
            files.Select(f => f.Record).ToList(), string.Join(",", files.Select(f => f.EspeakVersion).Distinct()));
    }

    private static (float Mean, float Std) Statistics(TabularData data)
    {
        double sum = 0, squares = 0;
        long count = 0;
        for (var row = 0; row < data.Count; row++)
        {
            for (var column = 0; column < data.FeatureCount; column++)
            {
                var value = data.Feature(row, column);
                sum += value;
                squares += (double)value * value;
                count++;
            }
        }

        var mean = sum / count;
        var std = Math.Sqrt(Math.Max(squares / count - mean * mean, 1e-12));
        return ((float)mean, (float)std);
    }

    private static TabularData Concatenate(List<TabularData> parts)
    {
        var names = parts[0].FeatureNames;
        var features = new List<float>();
        var labels = new List<long>();
        foreach (var part in parts)
        {
            for (var row = 0; row < part.Count; row++)
            {
                for (var column = 0; column < part.FeatureCount; column++)
                {
                    features.Add(part.Feature(row, column));
                }

                labels.Add(part.Label(row));
            }
        }

        return new TabularData(names, [.. features], [.. labels]);
    }
}
