namespace PeftSharp.Tuners;

using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

/// <summary>
/// A name-to-module map whose entries are registered submodules at every moment, so adapters can be added and
/// deleted after construction (TorchSharp's <c>ModuleDict</c> registers only the entries present at its first
/// registration). State-dict keys are <c>&lt;name&gt;.&lt;module key&gt;</c>, as with PyTorch's <c>ModuleDict</c>.
/// </summary>
/// <typeparam name="T">The module type.</typeparam>
public sealed class AdapterModuleDict<T> : nn.Module
    where T : nn.Module
{
    /// <summary>Creates an empty map.</summary>
    public AdapterModuleDict()
        : base("ModuleDict")
    {
    }

    /// <summary>The entry names, in insertion order.</summary>
    public IReadOnlyList<string> Keys => _internal_submodules.Keys.ToList();

    /// <summary>The number of entries.</summary>
    public int Count => _internal_submodules.Count;

    /// <summary>The module named <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No entry has that name.</exception>
    public T this[string key] => TryGet(key, out var module)
        ? module
        : throw new KeyNotFoundException($"No adapter named '{key}'. Adapters: {string.Join(", ", Keys)}.");

    /// <summary>Whether an entry named <paramref name="key"/> exists.</summary>
    public bool ContainsKey(string key) => _internal_submodules.ContainsKey(key);

    /// <summary>Looks an entry up.</summary>
    public bool TryGet(string key, out T module)
    {
        if (_internal_submodules.TryGetValue(key, out var found) && found is T typed)
        {
            module = typed;
            return true;
        }

        module = null!;
        return false;
    }

    /// <summary>Adds and registers <paramref name="module"/> under <paramref name="key"/>.</summary>
    public void Add(string key, T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        register_module(key, module);
    }

    /// <summary>Unregisters the entry named <paramref name="key"/> and returns it, or null when absent.</summary>
    public T? Remove(string key)
    {
        if (!TryGet(key, out var module))
        {
            return null;
        }

        register_module(key, null!);
        return module;
    }
}
