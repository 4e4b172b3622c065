namespace PeftSharp.Tuners;

using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A name-to-parameter map whose entries are registered parameters at every moment (PyTorch's <c>ParameterDict</c>
/// with adapters added and deleted after construction). State-dict keys are <c>&lt;name&gt;.&lt;key&gt;</c>.
/// Entries are always read from the registration, so they stay valid after <c>.to(device)</c> replaces them.
/// </summary>
public sealed class AdapterParameterDict : nn.Module
{
    /// <summary>Creates an empty map.</summary>
    public AdapterParameterDict()
        : base("ParameterDict")
    {
    }

    /// <summary>The entry names, in insertion order.</summary>
    public IReadOnlyList<string> Keys => _internal_params.Keys.ToList();

    /// <summary>The parameter named <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No entry has that name.</exception>
    public Parameter this[string key] => _internal_params.TryGetValue(key, out var parameter)
        ? parameter
        : throw new KeyNotFoundException($"No adapter named '{key}'. Adapters: {string.Join(", ", Keys)}.");

    /// <summary>Whether an entry named <paramref name="key"/> exists.</summary>
    public bool ContainsKey(string key) => _internal_params.ContainsKey(key);

    /// <summary>Adds and registers <paramref name="parameter"/> under <paramref name="key"/>.</summary>
    public void Add(string key, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        register_parameter(key, parameter);
    }

    /// <summary>Unregisters the entry named <paramref name="key"/> and returns it, or null when absent.</summary>
    public Parameter? Remove(string key)
    {
        if (!_internal_params.TryGetValue(key, out var parameter))
        {
            return null;
        }

        ConditionallyRegisterParameter(key, (Parameter?)null);
        return parameter;
    }
}
