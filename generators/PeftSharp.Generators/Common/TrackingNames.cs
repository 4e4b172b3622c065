namespace PeftSharp.Generators.Common;

/// <summary>Names of pipeline steps, so tests can check that an unrelated edit leaves each step cached.</summary>
internal static class TrackingNames
{
    public const string LoraFields = "PeftSharp.LoraFields";
    public const string TrainableFields = "PeftSharp.TrainableFields";
    public const string IA3Fields = "PeftSharp.IA3Fields";
    public const string ClassTargets = "PeftSharp.ClassTargets";
    public const string Accessors = "PeftSharp.Accessors";
    public const string Experiments = "PeftSharp.Experiments";
    public const string Classes = "PeftSharp.Classes";
    public const string Models = "PeftSharp.Models";
    public const string Diagnostics = "PeftSharp.Diagnostics";
}
