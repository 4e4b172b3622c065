namespace PeftSharp;

using System.Collections.Generic;
using TorchSharp.Modules;

/// <summary>A layer that wraps a frozen base layer and adds adapter parameters.</summary>
public interface IAdapterLayer
{
    /// <summary>The adapter parameters that train (never the base layer's).</summary>
    IEnumerable<Parameter> AdapterParameters();
}
