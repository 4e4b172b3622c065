namespace PeftSharp.Tests.Vision;

using System.IO;
using System.Threading.Tasks;
using FashionResNetLora;
using PeftSharp.Data.Sources;
using PeftSharp.Tests.Data;
using StbImageSharp;
using static TorchSharp.torch;

/// <summary>
/// Two real colour photographs (china.jpg, flower.jpg; CC BY 2.0, shipped with scikit-learn) from the Debian package
/// python3-sklearn, cached in the experiment's ignored .cache folder. Colour matters: grey images cannot catch a
/// channel-order mistake in the RGB-to-BGR preprocessing.
/// </summary>
internal static class SamplePhotos
{
    public const string Package = "python3-sklearn";
    public const string Version = "1.2.1+dfsg-1";

    public static string[] Names { get; } = ["china.jpg", "flower.jpg"];

    /// <summary>Why the photos cannot be had here, or null.</summary>
    public static string? Unavailable() =>
        DebianTestData.Unavailable(Package, Version, ExperimentPaths.DefaultCacheDirectory, "the test photos come from the Debian package python3-sklearn");

    /// <summary>The photo as RGB <c>[1, 3, size, size]</c>, values 0-255: the centre square, resized bilinearly.</summary>
    public static async Task<Tensor> LoadAsync(string name, int size)
    {
        var root = await DebianPackage.EnsureExtractedAsync(Package, Version, ExperimentPaths.DefaultCacheDirectory, TextWriter.Null);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(root, "usr/lib/python3/dist-packages/sklearn/datasets/images", name));
        var image = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        using var scope = NewDisposeScope();
        var hwc = tensor(image.Data, [image.Height, image.Width, 3]).to(ScalarType.Float32);
        var side = System.Math.Min(image.Height, image.Width);
        var square = hwc.narrow(0, (image.Height - side) / 2, side).narrow(1, (image.Width - side) / 2, side);
        var chw = square.permute(2, 0, 1).unsqueeze(0);
        return nn.functional.interpolate(chw, [size, size], mode: InterpolationMode.Bilinear, align_corners: false)
            .contiguous().MoveToOuterDisposeScope();
    }
}
