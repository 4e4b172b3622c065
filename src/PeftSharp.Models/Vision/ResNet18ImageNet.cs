namespace PeftSharp.Models.Vision;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using PeftSharp.Models.Onnx;
using PeftSharp.Models.Pretrained;

/// <summary>
/// ML.NET's ImageNet-pretrained ResNet-18 featurizer (MIT), imported offline from the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.23.1: its <c>tools/DnnImageModels</c> folder holds the CNTK
/// network exported to ONNX (opset 8, weights as <c>float_data</c>) and the preprocessing graph with the mean image.
/// Nothing is downloaded at run time: the package arrives with a restore of a project that declares
/// <c>&lt;PackageDownload Include="Microsoft.ML.DnnImageFeaturizer.ResNet18" Version="[0.23.1]" /&gt;</c>.
/// </summary>
public static class ResNet18ImageNet
{
    /// <summary>The NuGet package that carries the model.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version whose contents were verified.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>The network inside the package.</summary>
    public const string ModelFile = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>The preprocessing graph inside the package (RGB to BGR, minus the mean image).</summary>
    public const string PreprocessingFile = "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>The tensor the checksum covers: the last 3x3 convolution (<c>Parameter10</c> in the ONNX file).</summary>
    public const string ChecksumKey = "layer4.2.conv2.weight";

    /// <summary>Sum of <see cref="ChecksumKey"/> (float64 accumulation), published to six decimals.</summary>
    public const double Checksum = -742.506324;

    /// <summary>Tolerance of the checksum (the sum of 2.4M float32 values, in float64).</summary>
    public const double ChecksumTolerance = 1e-4;

    /// <summary>Number of stored tensors' values in the ONNX file: weights plus BatchNorm statistics.</summary>
    public const long ParameterCount = 15_908_800;

    private const string RestoreHint = "e.g. `dotnet restore` of experiments/FashionResNetLora or tests/PeftSharp.Tests";

    /// <summary>The model's shape: blocks per stage [2, 2, 2, 3].</summary>
    public static ResNetConfig Config => ResNetConfig.CntkResNet18;

    /// <summary>Path of a file of the package in <paramref name="packagesRoot"/> (null: the NuGet packages folder).</summary>
    /// <exception cref="FileNotFoundException">The package is not restored; the message says how to restore it.</exception>
    public static string LocatePackageFile(string relativePath, string? packagesRoot = null) =>
        PretrainedWeights.LocatePackageFile(PackageId, PackageVersion, relativePath, packagesRoot, RestoreHint);

    /// <summary>
    /// Imports the weights and the mean image from the package's two ONNX graphs, every shape checked and the checksum
    /// verified.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is malformed, not this model, or fails the checksum.</exception>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)> ImportStateDict(string? packagesRoot = null)
    {
        var model = OnnxGraph.Parse(File.ReadAllBytes(LocatePackageFile(ModelFile, packagesRoot)));
        var preprocessing = OnnxGraph.Parse(File.ReadAllBytes(LocatePackageFile(PreprocessingFile, packagesRoot)));
        var state = OnnxResNetImporter.ImportStateDict(model, preprocessing, Config);
        Verify(state);
        return state;
    }

    /// <summary>Throws unless <see cref="ChecksumKey"/> sums to <see cref="Checksum"/>.</summary>
    /// <exception cref="InvalidDataException">The checksum differs.</exception>
    public static void Verify(IReadOnlyDictionary<string, (long[] Shape, float[] Values)> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sum = 0.0;
        foreach (var v in state[ChecksumKey].Values)
        {
            sum += v;
        }

        if (!(Math.Abs(sum - Checksum) < ChecksumTolerance))
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"ResNet-18 weight '{ChecksumKey}' sums to {sum:F6}, expected {Checksum:F6}: the model file is corrupt or not the verified version {PackageVersion}."));
        }
    }

    /// <summary>
    /// A <see cref="CntkResNet"/> holding the pretrained weights, in evaluation mode on the CPU (move it with
    /// <c>.to(device)</c>). The first call imports the ONNX files (a few seconds) and caches the weights as safetensors
    /// in <paramref name="cacheDirectory"/>; later calls read the cache, re-verifying shapes and checksum (a damaged
    /// cache is re-imported).
    /// </summary>
    /// <param name="cacheDirectory">Cache folder; null for <see cref="PretrainedWeights.DefaultCacheDirectory"/>.</param>
    /// <param name="packagesRoot">The NuGet packages folder; null for the default.</param>
    public static CntkResNet Load(string? cacheDirectory = null, string? packagesRoot = null)
    {
        var model = new CntkResNet(Config);
        PretrainedWeights.LoadInto(model, LoadStateDict(cacheDirectory, packagesRoot), key => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        model.eval();
        return model;
    }

    /// <summary>The verified weights, from the safetensors cache when valid, else imported and then cached.</summary>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)> LoadStateDict(string? cacheDirectory = null, string? packagesRoot = null)
    {
        var path = CachePath(cacheDirectory);
        var cached = PretrainedWeights.TryReadCache(path, ResNetCheckpointLayout.ExpectedShapes(Config), Verify);
        if (cached is not null)
        {
            return cached;
        }

        var state = ImportStateDict(packagesRoot);
        PretrainedWeights.WriteCache(path, state, $"{PackageId} {PackageVersion} {ModelFile} + {PreprocessingFile}");
        return state;
    }

    /// <summary>The cache file in <paramref name="cacheDirectory"/> (or <see cref="PretrainedWeights.DefaultCacheDirectory"/>).</summary>
    public static string CachePath(string? cacheDirectory = null) =>
        Path.Combine(cacheDirectory ?? PretrainedWeights.DefaultCacheDirectory, $"resnet18-cntk-imagenet-{PackageVersion}.safetensors");
}
