namespace PeftSharp.Serialization;

using System.Collections.Generic;

/// <summary>A checkpoint tensor whose shape or dtype differs from the module tensor it maps to.</summary>
/// <param name="ModuleKey">The module's state-dict key.</param>
/// <param name="CheckpointKey">The checkpoint's key (before the name mapping).</param>
/// <param name="ModuleShape">The shape of the module's tensor.</param>
/// <param name="CheckpointShape">The shape of the checkpoint's tensor.</param>
/// <param name="ModuleDType">The safetensors dtype name of the module's tensor.</param>
/// <param name="CheckpointDType">The safetensors dtype name of the checkpoint's tensor.</param>
public sealed record CheckpointTensorMismatch(
    string ModuleKey,
    string CheckpointKey,
    IReadOnlyList<long> ModuleShape,
    IReadOnlyList<long> CheckpointShape,
    string ModuleDType,
    string CheckpointDType)
{
    /// <summary>One line for an error message, with both shapes or both dtypes.</summary>
    public string Describe(bool shape)
    {
        var key = ModuleKey == CheckpointKey ? $"'{ModuleKey}'" : $"'{ModuleKey}' (checkpoint '{CheckpointKey}')";
        return shape
            ? $"{key}: module {SafetensorsTensorInfo.FormatShape([.. ModuleShape])}, checkpoint {SafetensorsTensorInfo.FormatShape([.. CheckpointShape])}"
            : $"{key}: module {ModuleDType}, checkpoint {CheckpointDType}";
    }
}
