namespace PeftSharp.Tests.Serialization;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FluentAssertions;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using Xunit;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Save then load gives back every tensor bit for bit, with its dtype, shape and the metadata.</summary>
public sealed class SafetensorsRoundTripTests
{
    public static TheoryData<string> DTypes => new(SampleTensors.DTypes);

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Every_dtype_round_trips_bit_exactly(string dtype)
    {
        using var folder = new TempDirectory();
        var path = folder.File("t.safetensors");
        using var original = SampleTensors.Of(dtype);

        Safetensors.Save(path, [new("t", original)]);
        using var file = Safetensors.Open(path);
        using var loaded = file.Load("t");

        file.Tensors.Should().ContainSingle().Which.DType.Should().Be(dtype);
        loaded.dtype.Should().Be(original.dtype);
        loaded.shape.Should().Equal(original.shape);
        loaded.device_type.Should().Be(TorchSharp.DeviceType.CPU);
        loaded.bytes.ToArray().Should().Equal(original.bytes.ToArray());
    }

    [Fact]
    public void Special_float_values_survive_in_every_float_dtype()
    {
        using var folder = new TempDirectory();
        var path = folder.File("special.safetensors");
        float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 1e-40f, float.MaxValue, -1.5f];
        using var f32 = tensor(values);
        using var f64 = f32.to(ScalarType.Float64);
        using var bf16 = f32.to(ScalarType.BFloat16);
        using var f16 = f32.to(ScalarType.Float16);

        Safetensors.Save(path, [new("f32", f32), new("f64", f64), new("bf16", bf16), new("f16", f16)]);
        var loaded = Safetensors.Load(path);

        try
        {
            loaded["f32"].bytes.ToArray().Should().Equal(f32.bytes.ToArray());
            loaded["f64"].bytes.ToArray().Should().Equal(f64.bytes.ToArray());
            loaded["bf16"].bytes.ToArray().Should().Equal(bf16.bytes.ToArray());
            loaded["f16"].bytes.ToArray().Should().Equal(f16.bytes.ToArray());
            var floats = loaded["f32"].data<float>().ToArray();
            float.IsNaN(floats[0]).Should().BeTrue();
            floats[1].Should().Be(float.PositiveInfinity);
            BitConverter.SingleToInt32Bits(floats[3]).Should().Be(int.MinValue, "-0 keeps its sign bit");
        }
        finally
        {
            Dispose(loaded);
        }
    }

    [Fact]
    public void Metadata_round_trips_and_is_empty_when_absent()
    {
        using var folder = new TempDirectory();
        using var t = ones(2);
        Safetensors.Save(folder.File("with.safetensors"), [new("t", t)], new Dictionary<string, string> { ["format"] = "pt", ["note"] = "é \"quoted\" \n" });
        Safetensors.Save(folder.File("without.safetensors"), [new("t", t)]);

        using var with = Safetensors.Open(folder.File("with.safetensors"));
        using var without = Safetensors.Open(folder.File("without.safetensors"));

        with.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "é \"quoted\" \n" });
        without.Metadata.Should().BeEmpty();
        File.ReadAllText(folder.File("without.safetensors")).Should().NotContain("__metadata__");
    }

    [Fact]
    public void Shapes_scalars_empty_tensors_and_non_contiguous_views_round_trip()
    {
        using var folder = new TempDirectory();
        var path = folder.File("shapes.safetensors");
        using var scalar = tensor(3.5f);
        using var emptyOne = zeros(0, 4);
        using var count = 12.ToScalar();
        using var matrix = arange(count, dtype: ScalarType.Float32).reshape(3, 4);
        using var transposed = matrix.t();
        using var fourD = randn(2, 3, 1, 2);

        Safetensors.Save(path, [new("scalar", scalar), new("empty", emptyOne), new("transposed", transposed), new("conv", fourD)]);
        var loaded = Safetensors.Load(path);

        try
        {
            loaded["scalar"].shape.Should().BeEmpty();
            loaded["scalar"].item<float>().Should().Be(3.5f);
            loaded["empty"].shape.Should().Equal(0, 4);
            loaded["transposed"].shape.Should().Equal(4, 3);
            loaded["transposed"].equal(transposed).all().item<bool>().Should().BeTrue();
            loaded["conv"].equal(fourD).all().item<bool>().Should().BeTrue();
        }
        finally
        {
            Dispose(loaded);
        }
    }

    [Fact]
    public void Tensors_on_any_device_are_saved_from_a_cpu_copy_and_load_on_the_cpu()
    {
        using var folder = new TempDirectory();
        var path = folder.File("device.safetensors");

        // CUDA where the machine has it (the GPU run of the suite); the CPU path otherwise.
        var device = TorchSharp.torch.cuda.is_available() ? CUDA : CPU;
        using var cpuValues = SampleTensors.Of("BF16");
        using var onDevice = cpuValues.to(device);
        Safetensors.Save(path, [new("t", onDevice)]);
        using var loaded = Safetensors.Load(path)["t"];

        onDevice.device_type.Should().Be(device.type, "saving copies to the CPU and leaves the tensor where it was");
        loaded.device_type.Should().Be(TorchSharp.DeviceType.CPU);
        loaded.bytes.ToArray().Should().Equal(cpuValues.bytes.ToArray());
    }

    [Fact]
    public void Tensors_that_require_grad_are_saved_without_their_graph()
    {
        using var folder = new TempDirectory();
        using var weight = randn(3, 2).requires_grad_(true);
        using var product = weight * 2;

        Safetensors.Save(folder.File("g.safetensors"), [new("p", product)]);
        using var loaded = Safetensors.Load(folder.File("g.safetensors"))["p"];

        loaded.requires_grad.Should().BeFalse();
        using var expected = product.detach();
        loaded.equal(expected).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Saving_replaces_an_existing_file_completely_and_leaves_no_temporary_file()
    {
        using var folder = new TempDirectory();
        var path = folder.File("model.safetensors");
        using var big = zeros(1000);
        using var small = ones(2);
        Safetensors.Save(path, [new("big", big)]);

        Safetensors.Save(path, [new("small", small)]);

        Directory.GetFiles(folder.Path).Should().Equal(path);
        using var file = Safetensors.Open(path);
        file.Tensors.Select(t => t.Name).Should().Equal("small");
        new FileInfo(path).Length.Should().Be(8 + HeaderLength(path) + 8);
    }

    [Fact]
    public void Header_is_padded_with_spaces_to_eight_bytes_and_data_follows_in_reference_order()
    {
        using var folder = new TempDirectory();
        var path = folder.File("order.safetensors");
        using var b = ones(1, dtype: ScalarType.Bool);
        using var f16 = ones(1, dtype: ScalarType.Float16);
        using var zf32 = ones(1);
        using var af32 = ones(1);
        using var i64 = ones(1, dtype: ScalarType.Int64);

        Safetensors.Save(path, [new("b", b), new("f16", f16), new("z", zf32), new("a", af32), new("i64", i64)]);
        using var file = Safetensors.Open(path);

        // Descending dtype alignment (the reference's Dtype order), then by name.
        file.Tensors.Select(t => t.Name).Should().Equal("i64", "a", "z", "f16", "b");
        var headerLength = HeaderLength(path);
        (headerLength % 8).Should().Be(0);
        var header = File.ReadAllBytes(path).AsSpan(8, (int)headerLength).ToArray();
        System.Text.Encoding.UTF8.GetString(header).TrimEnd(' ').Should().EndWith("}");
        file.Tensors.Select(t => (t.Begin, t.End)).Should().Equal((0, 8), (8, 12), (12, 16), (16, 18), (18, 19));
    }

    [Fact]
    public void Tensors_of_another_device_or_dtype_are_rejected_or_copied_clearly()
    {
        using var folder = new TempDirectory();
        using var complex = zeros(2, dtype: ScalarType.ComplexFloat32);
        using var t = ones(2);

        var unsupported = () => Safetensors.Save(folder.File("c.safetensors"), [new("c", complex)]);
        var duplicate = () => Safetensors.Save(folder.File("d.safetensors"), [new("x", t), new("x", t)]);
        var reserved = () => Safetensors.Save(folder.File("m.safetensors"), [new("__metadata__", t)]);

        unsupported.Should().Throw<NotSupportedException>().WithMessage("*ComplexFloat32*");
        duplicate.Should().Throw<ArgumentException>().WithMessage("*'x' is given twice*");
        reserved.Should().Throw<ArgumentException>().WithMessage("*reserved*");
        Directory.GetFiles(folder.Path).Should().BeEmpty();
    }

    [Fact]
    public void Loading_a_missing_name_lists_the_closest_names()
    {
        using var folder = new TempDirectory();
        using var t = ones(2);
        Safetensors.Save(folder.File("n.safetensors"), [new("encoder.layer.0.query.weight", t), new("encoder.layer.0.value.weight", t)]);
        using var file = Safetensors.Open(folder.File("n.safetensors"));

        file.Contains("encoder.layer.0.query.weight").Should().BeTrue();
        var act = () => file.Load("encoder.layer.0.querry.weight");

        act.Should().Throw<KeyNotFoundException>().WithMessage("*no tensor named 'encoder.layer.0.querry.weight'*Closest names: 'encoder.layer.0.query.weight'*");
    }

    internal static long HeaderLength(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> length = stackalloc byte[8];
        stream.ReadExactly(length);
        return BitConverter.ToInt64(length);
    }

    internal static void Dispose(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }
}
