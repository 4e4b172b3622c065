namespace PeftSharp.Tracking.Tests.Fake;

using System;
using System.Collections.Generic;

public sealed class FakeRun(string id, string experimentId, string name, long startTime)
{
    public string Id { get; } = id;

    public string ExperimentId { get; } = experimentId;

    public string Name { get; } = name;

    public long StartTime { get; } = startTime;

    public long? EndTime { get; set; }

    public string Status { get; set; } = "RUNNING";

    public string LifecycleStage { get; set; } = "active";

    public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public List<Metric> Metrics { get; } = [];

    public List<DatasetInput> Inputs { get; } = [];
}
