namespace PeftSharp.Tests.Vision;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FashionResNetLora;
using FashionResNetLora.Data;
using FluentAssertions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PeftSharp.Data;
using PeftSharp.Models.Onnx;
using PeftSharp.Models.Vision;
using PeftSharp.Tests.Data;
using Xunit;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

/// <summary>
/// The TorchSharp rebuild of ML.NET's ResNet-18 (CNTK padding, BGR mean-image preprocessing) with the imported weights
/// against ONNX Runtime running the package's two original ONNX graphs: an independent implementation.
/// </summary>
public sealed class ResNetParityTests(ResNetFixture fixture, ITestOutputHelper output) : IClassFixture<ResNetFixture>
{
    /// <summary>Largest error allowed, relative to the largest feature of the image.</summary>
    private const double RelativeTolerance = 1e-5;

    [SkippableFact]
    public async Task Features_match_ONNX_Runtime_on_real_photos_and_Fashion_MNIST_images()
    {
        var reason = SamplePhotos.Unavailable() ?? DebianTestData.FashionMnistUnavailable();
        Skip.If(reason is not null, reason);
        var images = new List<(string Name, Tensor Rgb)>();
        foreach (var name in SamplePhotos.Names)
        {
            images.Add((name, await SamplePhotos.LoadAsync(name, CntkResNet.MeanImageSize)));
        }

        images.AddRange(await FashionImagesAsync(2));
        using var model = ResNet18ImageNet.Load(fixture.CacheDirectory);
        using var preprocess = new InferenceSession(ResNet18ImageNet.LocatePackageFile(ResNet18ImageNet.PreprocessingFile));
        using var network = new InferenceSession(ResNet18ImageNet.LocatePackageFile(ResNet18ImageNet.ModelFile));
        var worst = 0.0;
        foreach (var (name, rgb) in images)
        {
            using (rgb)
            {
                var watch = Stopwatch.StartNew();
                float[] ours;
                using (no_grad())
                using (var features = model.forward(rgb))
                {
                    features.shape.Should().Equal(1, 512);
                    ours = features.data<float>().ToArray();
                }

                var torchSeconds = watch.Elapsed.TotalSeconds;
                watch.Restart();
                var reference = RunOnnxRuntime(preprocess, network, rgb.data<float>().ToArray());
                var ortSeconds = watch.Elapsed.TotalSeconds;
                var error = ours.Zip(reference).Max(p => Math.Abs((double)p.First - p.Second));
                var scale = reference.Max(v => Math.Abs((double)v));
                output.WriteLine($"{name}: max |error| {error:E2}, max |feature| {scale:F3}, relative {error / scale:E2}; mean feature {reference.Average():F4}; TorchSharp {torchSeconds:F2} s, ONNX Runtime {ortSeconds:F2} s");
                scale.Should().BeGreaterThan(0.1, "real images give non-trivial features");
                (error / scale).Should().BeLessThan(RelativeTolerance, name);
                worst = Math.Max(worst, error / scale);
            }
        }

        output.WriteLine($"worst relative error {worst:E2} (bound {RelativeTolerance:E0})");
    }

    [Fact]
    public void Import_verifies_the_checksum_and_the_cache_returns_the_same_weights()
    {
        var imported = fixture.Imported;
        var watch = Stopwatch.StartNew();
        var cached = ResNet18ImageNet.LoadStateDict(fixture.CacheDirectory);
        var cacheSeconds = watch.Elapsed.TotalSeconds;
        var checksum = imported[ResNet18ImageNet.ChecksumKey].Values.Sum(v => (double)v);
        output.WriteLine($"import from ONNX {fixture.ImportSeconds:F2} s (replacing a damaged cache), from the safetensors cache {cacheSeconds:F2} s; checksum {checksum:F6}");

        checksum.Should().BeApproximately(ResNet18ImageNet.Checksum, 1e-5);
        imported.Where(kv => kv.Key != ResNetCheckpointLayout.MeanImageKey).Sum(kv => kv.Value.Values.LongLength)
            .Should().Be(ResNet18ImageNet.ParameterCount, "every stored tensor of the ONNX network is imported");
        imported[ResNetCheckpointLayout.MeanImageKey].Shape.Should().Equal(1, 3, 224, 224);
        new FileInfo(ResNet18ImageNet.CachePath(fixture.CacheDirectory)).Length.Should().BeGreaterThan(64_000_000, "the damaged cache was replaced");
        cached.Keys.Should().BeEquivalentTo(imported.Keys);
        foreach (var key in imported.Keys)
        {
            cached[key].Values.AsSpan().SequenceEqual(imported[key].Values).Should().BeTrue(key);
        }

        var corrupt = new Dictionary<string, (long[] Shape, float[] Values)>(imported);
        var values = imported[ResNet18ImageNet.ChecksumKey].Values.ToArray();
        values[7] += 0.01f;
        corrupt[ResNet18ImageNet.ChecksumKey] = (imported[ResNet18ImageNet.ChecksumKey].Shape, values);
        var act = () => ResNet18ImageNet.Verify(corrupt);
        act.Should().Throw<InvalidDataException>().WithMessage("*sums to -742.49*expected -742.506324*");
    }

    [Fact]
    public void The_import_refuses_a_model_of_another_shape_and_a_missing_package()
    {
        var model = OnnxGraph.Parse(File.ReadAllBytes(ResNet18ImageNet.LocatePackageFile(ResNet18ImageNet.ModelFile)));
        var preprocessing = OnnxGraph.Parse(File.ReadAllBytes(ResNet18ImageNet.LocatePackageFile(ResNet18ImageNet.PreprocessingFile)));
        model.Nodes.First(n => n.OpType == "Conv").IntsOr("pads", []).Should().Equal([3, 3, 2, 2], "the attributes are read: CNTK's asymmetric stem padding");

        var torchvisionShape = new ResNetConfig([2, 2, 2, 2], [64, 128, 256, 512]);
        var wrongBlocks = () => OnnxResNetImporter.ImportStateDict(model, preprocessing, torchvisionShape);
        wrongBlocks.Should().Throw<InvalidDataException>().WithMessage("*After the 8 blocks of [2, 2, 2, 2]*Conv*another number of blocks per stage*");

        var narrow = ResNetConfig.CntkResNet18 with { StageWidths = [64, 128, 256, 256] };
        var wrongWidth = () => OnnxResNetImporter.ImportStateDict(model, preprocessing, narrow);
        wrongWidth.Should().Throw<InvalidDataException>().WithMessage("*'layer4.0.conv1.weight' has shape [512, 256, 3, 3]*needs [256, 256, 3, 3]*");

        var swapped = () => OnnxResNetImporter.ImportStateDict(preprocessing, model, ResNetConfig.CntkResNet18);
        swapped.Should().Throw<InvalidDataException>().WithMessage("*no Conv node*");

        var missing = () => ResNet18ImageNet.LocatePackageFile(ResNet18ImageNet.ModelFile, "/nonexistent-packages");
        missing.Should().Throw<FileNotFoundException>().WithMessage("*PackageDownload Include=\"Microsoft.ML.DnnImageFeaturizer.ResNet18\" Version=\"[0.23.1]\"*");
    }

    [Fact]
    public void Other_input_sizes_average_the_mean_image_and_keep_the_feature_size()
    {
        using var model = ResNet18ImageNet.Load(fixture.CacheDirectory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var grey100 = 100f.ToScalar();
        using var grey50 = 50f.ToScalar();
        var flat = full(1, 3, 64, 64, grey100);
        var preprocessed = model.Preprocess(flat);
        var mean = tensor(fixture.Imported[ResNetCheckpointLayout.MeanImageKey].Values, [1, 3, 224, 224]);
        // BGR: channel 0 of the result is the blue channel minus the mean image's channel 0 averaged over the area.
        preprocessed.mean().item<float>().Should().BeApproximately(100f - mean.mean().item<float>(), 1e-3f);
        model.forward(flat).shape.Should().Equal(1, 512);
        model.forward(full(2, 3, 97, 131, grey50)).shape.Should().Equal([2L, 512L], "odd sizes work: CNTK's padding is explicit");
        var tooSmall = () => model.forward(zeros(1, 3, 16, 16));
        tooSmall.Should().Throw<ArgumentException>().WithMessage("*[batch, 3, H, W] with H, W >= 32*[1, 3, 16, 16]*");
    }

    private static async Task<List<(string, Tensor)>> FashionImagesAsync(int count)
    {
        using var data = new TempDirectory();
        var files = await FashionMnist.PrepareAsync(data.Path, ExperimentPaths.DefaultCacheDirectory, new SubsetSizes(10, 10, 10), TextWriter.Null);
        var dataset = await ParquetDataset.OpenAsync(FashionMnist.Spec("test", files.Test));
        await using var loader = dataset.OpenBatches(new BatchOptions(count));
        using var batch = loader.First();
        using var grey = batch.Take(FashionMnist.ImageColumn);
        var labels = batch[FashionMnist.LabelColumn].data<long>().ToArray();
        var result = new List<(string, Tensor)>();
        for (var i = 0; i < count; i++)
        {
            using var one = grey.narrow(0, i, 1);
            result.Add(($"Fashion-MNIST test image {i} ({FashionMnist.ClassNames[(int)labels[i]]})", FashionImages.ToResNetInput(one, CntkResNet.MeanImageSize).contiguous()));
        }

        return result;
    }

    private static float[] RunOnnxRuntime(InferenceSession preprocess, InferenceSession network, float[] rgb)
    {
        var input = new DenseTensor<float>(rgb, [1, 3, 224, 224]);
        using var prepared = preprocess.Run([NamedOnnxValue.CreateFromTensor(preprocess.InputMetadata.Keys.Single(), input)]);
        var bgr = prepared.Single().AsTensor<float>().ToDenseTensor();
        using var features = network.Run([NamedOnnxValue.CreateFromTensor(network.InputMetadata.Keys.Single(), bgr)]);
        var result = features.Single().AsTensor<float>();
        result.Dimensions.ToArray().Should().Equal(1, 512, 1, 1);
        return result.ToArray();
    }
}
