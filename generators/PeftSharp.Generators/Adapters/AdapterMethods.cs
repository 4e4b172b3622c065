namespace PeftSharp.Generators.Adapters;

using System.Collections.Generic;
using System.Linq;

/// <summary>Which TorchSharp layer types each adapter method can wrap, as the runtime implements them.</summary>
internal static class AdapterMethods
{
    public const string Lora = "Lora";
    public const string IA3 = "IA3";

    private static readonly string[] LoraLayers = ["Linear", "Conv2d", "Embedding"];
    private static readonly string[] DoraLayers = ["Linear", "Conv2d"];
    private static readonly string[] IA3Layers = ["Linear"];

    /// <summary>The display name used in messages: LoRA, DoRA or IA3.</summary>
    public static string DisplayName(string method, bool useDora) => method == IA3 ? "IA3" : useDora ? "DoRA" : "LoRA";

    public static IReadOnlyList<string> SupportedLayers(string method, bool useDora) =>
        method == IA3 ? IA3Layers : useDora ? DoraLayers : LoraLayers;

    /// <summary>Whether <paramref name="layerType"/> (a TorchSharp.Modules type name) can be wrapped.</summary>
    public static bool Supports(string method, bool useDora, string layerType) =>
        SupportedLayers(method, useDora).Contains(layerType);

    public static string Describe(string method, bool useDora) =>
        string.Join(", ", SupportedLayers(method, useDora));
}
