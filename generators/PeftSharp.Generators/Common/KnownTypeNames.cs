namespace PeftSharp.Generators.Common;

/// <summary>Metadata names of the runtime types the generator looks for (nested types use '+').</summary>
internal static class KnownTypeNames
{
    public const string LoraTargetAttribute = "PeftSharp.LoraTargetAttribute";
    public const string TrainableAttribute = "PeftSharp.TrainableAttribute";
    public const string LoraDefaults = "LoraDefaults";
    public const string ComponentNameAttribute = "TorchSharp.Utils.ComponentNameAttribute";
    public const string Module = "TorchSharp.torch+nn+Module";
    public const string ModuleOfTensor = "TorchSharp.torch+nn+Module`2";
    public const string Tensor = "TorchSharp.torch+Tensor";
}
