namespace PeftSharp;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PeftSharp.Saving;
using PeftSharp.Serialization;
using PeftSharp.Tuners;
using static TorchSharp.torch;

/// <summary>Saving and loading adapters in the reference's format.</summary>
public sealed partial class PeftModel
{
    /// <summary>The file name of an adapter's tensors.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    private static readonly Dictionary<string, string> Metadata = new(StringComparer.Ordinal) { ["format"] = "pt" };

    /// <summary>
    /// Saves adapters (default: all) under <paramref name="directory"/> in the reference's format: the adapter named
    /// <c>default</c> at the root, any other in a subfolder named after it; each as <c>adapter_config.json</c> and
    /// <c>adapter_model.safetensors</c> (reference key names, tensors as trained, metadata <c>{"format": "pt"}</c>).
    /// </summary>
    public void SaveAdapters(string directory, IEnumerable<string>? adapterNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        foreach (var name in (adapterNames ?? configs.Keys).ToList())
        {
            RequireAdapter(name);
            var folder = AdapterFolder(directory, name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, AdapterConfigJson.FileName), AdapterConfigJson.Write(configs[name]));
            using var scope = NewDisposeScope();
            var tensors = AdapterStateDict(name)
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.detach().contiguous()))
                .ToList();
            Safetensors.Save(Path.Combine(folder, WeightsFileName), tensors, Metadata);
        }
    }

    /// <summary>
    /// Adds the adapter saved in <paramref name="directory"/> to <paramref name="model"/> (the reference's
    /// <c>PeftModel.from_pretrained</c>) and makes it active; it trains only when <paramref name="isTrainable"/>.
    /// </summary>
    /// <exception cref="AdapterLoadException">The file's keys or shapes do not fit (all problems listed); the model is left unchanged.</exception>
    /// <exception cref="FileNotFoundException">The directory lacks the configuration or the tensors.</exception>
    public static PeftModel Load(nn.Module model, string directory, string adapterName = AdapterLayer.DefaultAdapterName, bool isTrainable = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var peft = new PeftModel(model);
        peft.LoadAdapter(directory, adapterName, isTrainable);
        peft.SetActiveAdapters(adapterName);
        return peft;
    }

    /// <summary>Adds the adapter saved in <paramref name="directory"/> under <paramref name="adapterName"/> (not made active).</summary>
    /// <exception cref="AdapterLoadException">The file's keys or shapes do not fit (all problems listed); the model is left unchanged.</exception>
    public void LoadAdapter(string directory, string adapterName, bool isTrainable = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var configPath = Path.Combine(directory, AdapterConfigJson.FileName);
        var weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"No {AdapterConfigJson.FileName} in '{directory}': is this an adapter folder (non-default adapters are saved in subfolders)?", configPath);
        }

        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"No {WeightsFileName} in '{directory}'.", weightsPath);
        }

        var config = AdapterConfigJson.Read(File.ReadAllText(configPath), configPath) with { InferenceMode = !isTrainable };
        using var file = Safetensors.Open(weightsPath);
        AddAdapter(adapterName, config);
        try
        {
            LoadTensors(file, adapterName, weightsPath);
        }
        catch
        {
            // Leave the model as it was: no half-loaded adapter.
            DeleteAdapter(adapterName);
            throw;
        }

        ApplyTrainability();
    }

    private static string AdapterFolder(string directory, string adapterName)
    {
        if (adapterName == AdapterLayer.DefaultAdapterName)
        {
            return directory;
        }

        if (adapterName is "." or ".." || adapterName.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0)
        {
            throw new ArgumentException($"Adapter name '{adapterName}' cannot be a folder name: rename the adapter.", nameof(adapterName));
        }

        return Path.Combine(directory, adapterName);
    }

    private void LoadTensors(SafetensorsFile file, string adapterName, string source)
    {
        var expected = AdapterStateDict(adapterName);
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var info in file.Tensors)
        {
            var key = info.Name;
            if (expected.ContainsKey(key))
            {
                mapping[key] = key;
            }
            else if (key.EndsWith(".bias", StringComparison.Ordinal) && expected.ContainsKey(key[..^".bias".Length] + ".base_layer.bias"))
            {
                // A wrapped layer's bias saved under the layer's own path ("<path>.bias") is the same tensor.
                mapping[key[..^".bias".Length] + ".base_layer.bias"] = key;
            }
            else
            {
                unexpected.Add(key);
            }
        }

        var missing = expected.Keys.Where(k => !mapping.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatched = new List<string>();
        foreach (var (modelKey, fileKey) in mapping)
        {
            var fileShape = file[fileKey].Shape;
            var modelShape = expected[modelKey].shape;
            if (!fileShape.SequenceEqual(modelShape))
            {
                mismatched.Add($"{fileKey}: file {SafetensorsTensorInfo.FormatShape(fileShape)} vs model {SafetensorsTensorInfo.FormatShape(modelShape)}");
            }
        }

        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            throw new AdapterLoadException(source, missing, [.. unexpected.Order(StringComparer.Ordinal)], [.. mismatched.Order(StringComparer.Ordinal)]);
        }

        using var noGrad = no_grad();
        foreach (var (modelKey, fileKey) in mapping)
        {
            using var loaded = file.Load(fileKey);
            expected[modelKey].copy_(loaded);
        }
    }
}
