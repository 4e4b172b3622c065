namespace PeftSharp.Tests.Serialization;

using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using PeftSharp.Serialization;
using PeftSharp.Tests.Data;
using Xunit;
using static TorchSharp.torch;
using PyBridgeSafetensors = TorchSharp.PyBridge.Safetensors;

/// <summary>
/// TorchSharp.PyBridge has its own safetensors implementation: files written here must read there, and files written
/// there must read here, tensor for tensor and bit for bit.
/// </summary>
public sealed class PyBridgeCrossCheckTests
{
    [Fact]
    public void Files_written_here_read_identically_in_PyBridge()
    {
        using var folder = new TempDirectory();
        var path = folder.File("ours.safetensors");
        var originals = SampleTensors.DTypes
            .ToDictionary(dtype => "tensor." + dtype, SampleTensors.Of);

        Safetensors.Save(path, originals, new Dictionary<string, string> { ["format"] = "pt" });
        var theirs = PyBridgeSafetensors.LoadStateDict(path);

        try
        {
            theirs.Keys.Should().BeEquivalentTo(originals.Keys);
            foreach (var (name, original) in originals)
            {
                theirs[name].dtype.Should().Be(original.dtype, name);
                theirs[name].shape.Should().Equal(original.shape, name);
                theirs[name].bytes.ToArray().Should().Equal(original.bytes.ToArray(), name);
            }
        }
        finally
        {
            SafetensorsRoundTripTests.Dispose(theirs);
            SafetensorsRoundTripTests.Dispose(originals);
        }
    }

    [Fact]
    public void Files_written_by_PyBridge_read_identically_here()
    {
        using var folder = new TempDirectory();
        var path = folder.File("theirs.safetensors");
        var originals = SampleTensors.DTypes
            .ToDictionary(dtype => "w." + dtype, SampleTensors.Of);

        PyBridgeSafetensors.SaveStateDict(path, originals);
        using var file = Safetensors.Open(path);
        var ours = file.LoadAll();

        try
        {
            ours.Keys.Should().BeEquivalentTo(originals.Keys);
            foreach (var (name, original) in originals)
            {
                ours[name].dtype.Should().Be(original.dtype, name);
                ours[name].bytes.ToArray().Should().Equal(original.bytes.ToArray(), name);
            }
        }
        finally
        {
            SafetensorsRoundTripTests.Dispose(ours);
            SafetensorsRoundTripTests.Dispose(originals);
        }
    }
}
