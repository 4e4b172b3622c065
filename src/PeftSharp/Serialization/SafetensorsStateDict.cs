namespace PeftSharp.Serialization;

using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

/// <summary>Saves a module's state dict (parameters and persistent buffers) as a safetensors file.</summary>
public static class SafetensorsStateDict
{
    /// <summary>
    /// Writes <paramref name="module"/>'s <c>state_dict()</c> to <paramref name="path"/>, keys transformed by
    /// <paramref name="nameMap"/> (null from it skips a key), with <paramref name="metadata"/> (the reference's
    /// <c>{"format": "pt"}</c> when null). Loadable by <see cref="CheckpointLoader.LoadInto"/> and by the reference.
    /// </summary>
    /// <param name="module">The module to save.</param>
    /// <param name="path">The file to create or replace (written atomically).</param>
    /// <param name="nameMap">Maps a state-dict key to the saved key, or to null to leave it out; identity when null.</param>
    /// <param name="metadata">The header's metadata.</param>
    /// <returns>The saved keys, in the module's state-dict order.</returns>
    public static IReadOnlyList<string> Save(
        nn.Module module, string path, Func<string, string?>? nameMap = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var entries = new List<KeyValuePair<string, Tensor>>();
        foreach (var (key, value) in module.state_dict())
        {
            var name = nameMap is null ? key : nameMap(key);
            if (name is not null)
            {
                entries.Add(new(name, value));
            }
        }

        Safetensors.Save(path, entries, metadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        return entries.Select(e => e.Key).ToList();
    }
}
