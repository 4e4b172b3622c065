namespace PeftSharp.Tracking;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

/// <summary>One journal line: an operation to deliver, numbered by <see cref="Seq"/> (1, 2, ...).</summary>
internal sealed class SpoolRecord
{
    public const string CreateRun = "create_run";
    public const string LogBatch = "log_batch";
    public const string LogInputs = "log_inputs";
    public const string LogArtifact = "log_artifact";
    public const string UpdateRun = "update_run";

    public long Seq { get; init; }

    public string Op { get; init; } = string.Empty;

    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    public IReadOnlyList<Param> Params { get; init; } = [];

    public IReadOnlyList<RunTag> Tags { get; init; } = [];

    public IReadOnlyList<DatasetInput> Datasets { get; init; } = [];

    public string? ExperimentId { get; init; }

    public string? ExperimentName { get; init; }

    public string? RunName { get; init; }

    public long TimeMs { get; init; }

    public string? Status { get; init; }

    public string? File { get; init; }

    public string? ArtifactDirectory { get; init; }

    public byte[] ToJsonLine()
    {
        byte[] json = MlflowJson.Write(w =>
        {
            w.WriteNumber("seq", Seq);
            w.WriteString("op", Op);
            if (ExperimentId is not null)
            {
                w.WriteString("experiment_id", ExperimentId);
            }

            if (ExperimentName is not null)
            {
                w.WriteString("experiment_name", ExperimentName);
            }

            if (RunName is not null)
            {
                w.WriteString("run_name", RunName);
            }

            if (TimeMs != 0)
            {
                w.WriteNumber("time", TimeMs);
            }

            if (Status is not null)
            {
                w.WriteString("status", Status);
            }

            if (File is not null)
            {
                w.WriteString("file", File);
            }

            if (ArtifactDirectory is not null)
            {
                w.WriteString("artifact_dir", ArtifactDirectory);
            }

            if (Metrics.Count != 0)
            {
                MlflowJson.WriteMetrics(w, Metrics);
            }

            if (Params.Count != 0)
            {
                MlflowJson.WritePairs(w, "params", Params.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
            }

            if (Tags.Count != 0)
            {
                MlflowJson.WritePairs(w, "tags", Tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)));
            }

            if (Datasets.Count != 0)
            {
                MlflowJson.WriteDatasets(w, Datasets);
            }
        });
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    public static SpoolRecord Parse(ReadOnlySpan<byte> line)
    {
        using var document = JsonDocument.Parse(line.ToArray());
        var root = document.RootElement;
        var metrics = root.TryGetProperty("metrics", out var m) ? m.EnumerateArray().Select(MlflowJson.ReadMetric).ToList() : [];
        var parameters = MlflowJson.ReadPairsInOrder(root, "params").Select(p => new Param(p.Key, p.Value)).ToList();
        var tags = MlflowJson.ReadPairsInOrder(root, "tags").Select(p => new RunTag(p.Key, p.Value)).ToList();
        var datasets = new List<DatasetInput>();
        if (root.TryGetProperty("datasets", out var ds))
        {
            foreach (var item in ds.EnumerateArray())
            {
                var d = item.GetProperty("dataset");
                string context = MlflowJson.ReadPairs(item, "tags").GetValueOrDefault(DatasetInput.ContextTag) ?? "training";
                datasets.Add(new DatasetInput(
                    MlflowJson.ReadString(d, "name") ?? string.Empty,
                    MlflowJson.ReadString(d, "digest") ?? string.Empty,
                    MlflowJson.ReadString(d, "source_type") ?? string.Empty,
                    MlflowJson.ReadString(d, "source") ?? string.Empty,
                    MlflowJson.ReadString(d, "schema"),
                    MlflowJson.ReadString(d, "profile"),
                    context));
            }
        }

        return new SpoolRecord
        {
            Seq = MlflowJson.ReadInt64(root, "seq") ?? throw new FormatException("A spool record has no 'seq'."),
            Op = MlflowJson.ReadString(root, "op") ?? throw new FormatException("A spool record has no 'op'."),
            ExperimentId = MlflowJson.ReadString(root, "experiment_id"),
            ExperimentName = MlflowJson.ReadString(root, "experiment_name"),
            RunName = MlflowJson.ReadString(root, "run_name"),
            TimeMs = MlflowJson.ReadInt64(root, "time") ?? 0,
            Status = MlflowJson.ReadString(root, "status"),
            File = MlflowJson.ReadString(root, "file"),
            ArtifactDirectory = MlflowJson.ReadString(root, "artifact_dir"),
            Metrics = metrics,
            Params = parameters,
            Tags = tags,
            Datasets = datasets,
        };
    }
}
