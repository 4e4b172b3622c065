namespace PeftSharp.Models.Bert;

using System;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

/// <summary>
/// A sub-layer's output: <c>LayerNorm(dropout(dense(x)) + residual)</c>. Serves both <c>attention.output</c>
/// (hidden to hidden) and <c>output</c> (intermediate to hidden), as Hugging Face's <c>BertSelfOutput</c> and
/// <c>BertOutput</c> do. <c>dense</c> is typed <see cref="nn.Module{T, TResult}"/> so adapters can wrap it.
/// </summary>
public sealed class BertSelfOutput : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The projection (<c>dense</c>), possibly an adapter wrapper.</summary>
#pragma warning disable CA1051 // public (and not readonly) so generated adapter wiring in another assembly can replace it
    public nn.Module<Tensor, Tensor> dense;
#pragma warning restore CA1051

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    /// <summary>Creates a sub-layer output projecting <paramref name="inputSize"/> features to the hidden width.</summary>
    public BertSelfOutput(BertConfig config, int inputSize)
        : base(nameof(BertSelfOutput))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        dense = nn.Linear(inputSize, config.HiddenSize);
        layerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>Projects <paramref name="hidden"/>, adds <paramref name="residual"/> and normalises.</summary>
    public override Tensor forward(Tensor hidden, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return layerNorm.call(dropout.call(dense.call(hidden)) + residual).MoveToOuterDisposeScope();
    }
}
