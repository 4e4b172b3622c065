namespace PeftSharp.Tracking.Tests.Fake;

public sealed class FakeExperiment(string id, string name)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    public string LifecycleStage { get; set; } = "active";
}
