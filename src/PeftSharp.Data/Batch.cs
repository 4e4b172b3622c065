namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

/// <summary>
/// A batch of rows as named tensors. The batch owns its tensors: dispose it when the step is done
/// (<c>using var batch = ...</c>). A tensor that must outlive the batch is taken out with <see cref="Take"/>,
/// which makes the caller its owner. Batch tensors are created outside any dispose scope (on the prefetch task),
/// so a step's <c>NewDisposeScope()</c> does not free them; only <see cref="Dispose"/> does.
/// </summary>
public sealed class Batch : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;
    private bool disposed;

    internal Batch(Dictionary<string, Tensor> tensors, long[] rowIds)
    {
        this.tensors = tensors;
        RowIds = rowIds;
    }

    /// <summary>The number of rows.</summary>
    public int Count => RowIds.Count;

    /// <summary>The global row index of each row, in batch order (for tracing a prediction back to its row).</summary>
    public IReadOnlyList<long> RowIds { get; }

    /// <summary>The tensor names: the input names, plus <c>name.attention_mask</c> for text and token ids.</summary>
    public IReadOnlyCollection<string> Names => tensors.Keys;

    /// <summary>The tensor of input <paramref name="name"/>; still owned by the batch.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists those present.</exception>
    public Tensor this[string name]
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return tensors.TryGetValue(name, out var tensor)
                ? tensor
                : throw new KeyNotFoundException($"The batch has no tensor '{name}'. Tensors: {string.Join(", ", tensors.Keys.Order(StringComparer.Ordinal))}.");
        }
    }

    /// <summary>Removes the tensor <paramref name="name"/> from the batch and hands its ownership to the caller.</summary>
    public Tensor Take(string name)
    {
        var tensor = this[name];
        tensors.Remove(name);
        return tensor;
    }

    /// <summary>Disposes every tensor the batch still owns.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }

        tensors.Clear();
    }
}
