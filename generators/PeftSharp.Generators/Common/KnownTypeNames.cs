namespace PeftSharp.Generators.Common;

/// <summary>Metadata names of the runtime types the generator looks for (nested types use '+').</summary>
internal static class KnownTypeNames
{
    public const string LoraTargetAttribute = "PeftSharp.LoraTargetAttribute";
    public const string TrainableAttribute = "PeftSharp.TrainableAttribute";
    public const string IA3TargetAttribute = "PeftSharp.IA3TargetAttribute";
    public const string LoraTargetsAttribute = "PeftSharp.LoraTargetsAttribute";
    public const string IA3TargetsAttribute = "PeftSharp.IA3TargetsAttribute";
    public const string ExperimentAttribute = "PeftSharp.Training.Experiments.ExperimentAttribute";
    public const string HyperparameterAttribute = "PeftSharp.Training.Experiments.HyperparameterAttribute";
    public const string ModelAttribute = "PeftSharp.Training.Experiments.ModelAttribute";
    public const string DatasetAttribute = "PeftSharp.Training.Experiments.DatasetAttribute";
    public const string ModuleList = "TorchSharp.Modules.ModuleList`1";
    public const string LayerNamespace = "TorchSharp.Modules";
    public const string LoraDefaults = "LoraDefaults";
    public const string ComponentNameAttribute = "TorchSharp.Utils.ComponentNameAttribute";
    public const string Module = "TorchSharp.torch+nn+Module";
    public const string ModuleOfTensor = "TorchSharp.torch+nn+Module`2";
    public const string Tensor = "TorchSharp.torch+Tensor";
}
