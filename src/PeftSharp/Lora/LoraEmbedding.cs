namespace PeftSharp.Lora;

using System;
using System.Collections.Generic;
using PeftSharp.Tuners;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A frozen <see cref="Embedding"/> plus trainable low-rank updates, as the reference: <c>lora_embedding_A</c>
/// (r x num_embeddings, zeros) and <c>lora_embedding_B</c> (embedding_dim x r, standard normal), output
/// <c>embedding(x) + embedding(x, A^T) B^T * scaling</c>, no dropout. DoRA and PiSSA are not supported.
/// </summary>
public sealed class LoraEmbedding : LoraLayer
{
#pragma warning disable IDE1006, SA1300 // snake_case names are checkpoint keys
    private readonly AdapterParameterDict lora_embedding_A = new();
    private readonly AdapterParameterDict lora_embedding_B = new();
#pragma warning restore IDE1006, SA1300

    /// <summary>Wraps <paramref name="baseLayer"/> with one adapter named <paramref name="adapterName"/>.</summary>
    public LoraEmbedding(Embedding baseLayer, LoraSettings settings, string adapterName = DefaultAdapterName)
        : base(nameof(LoraEmbedding), baseLayer)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _ = baseLayer.weight ?? throw new ArgumentException("The base Embedding has no weight.", nameof(baseLayer));
        register_module("lora_embedding_A", lora_embedding_A);
        register_module("lora_embedding_B", lora_embedding_B);
        AddAdapter(adapterName, settings);
        RegisterComponents();
    }

    /// <summary>The wrapped, frozen layer.</summary>
    public Embedding BaseLayer => (Embedding)BaseModule;

    /// <summary>Adapter <paramref name="adapterName"/>'s <c>A</c> (r x num_embeddings).</summary>
    public Parameter EmbeddingA(string adapterName) => lora_embedding_A[adapterName];

    /// <summary>Adapter <paramref name="adapterName"/>'s <c>B</c> (embedding_dim x r).</summary>
    public Parameter EmbeddingB(string adapterName) => lora_embedding_B[adapterName];

    /// <inheritdoc />
    public override Tensor DeltaWeight(string adapterName)
    {
        using var scope = NewDisposeScope();
        using var scaling = Settings(adapterName).Scaling.ToScalar();
        var delta = EmbeddingB(adapterName).matmul(EmbeddingA(adapterName)).t().mul(scaling);
        return delta.contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Parameter Parameter)> ExtraAdapterParameters(string adapterName) =>
        lora_embedding_A.ContainsKey(adapterName)
            ? [($"lora_embedding_A.{adapterName}", EmbeddingA(adapterName)), ($"lora_embedding_B.{adapterName}", EmbeddingB(adapterName))]
            : [];

    /// <inheritdoc />
    protected override void CreateAdapter(string adapterName, LoraSettings loraSettings)
    {
        if (loraSettings.UseDora)
        {
            throw new NotSupportedException("DoRA on Embedding is not supported: use DoRA on Linear or Conv2d layers.");
        }

        if (loraSettings.Init == LoraInit.Pissa)
        {
            throw new NotSupportedException("PiSSA initialisation is supported for Linear layers only.");
        }

        var weight = BaseLayer.weight!;
        var rank = loraSettings.Rank;

        // The reference (and the LoRA paper's code) starts A at zero and B standard normal for embeddings, whatever the init.
        using var scope = NewDisposeScope();
        var a = zeros(rank, weight.shape[0], dtype: weight.dtype, device: weight.device);
        var b = randn(weight.shape[1], rank, dtype: weight.dtype, device: weight.device);
        lora_embedding_A.Add(adapterName, NewParameter(a));
        lora_embedding_B.Add(adapterName, NewParameter(b));

        // The reference registers a dropout per adapter even though embeddings never apply it.
        AddDropout(adapterName, loraSettings.Dropout);
    }

    /// <inheritdoc />
    protected override Tensor ForwardWithAdapters(Tensor input, IReadOnlyList<string> adapterNames)
    {
        var result = BaseForward(input);
        var flat = input.reshape(-1);
        var shape = input.shape;
        foreach (var name in adapterNames)
        {
            var a = EmbeddingA(name);
            var rows = a.t().index_select(0, flat);
            var update = rows.matmul(EmbeddingB(name).t());
            using var scaling = Settings(name).Scaling.ToScalar();
            result = result.add(update.reshape([.. shape, update.shape[^1]]).mul(scaling));
        }

        return result;
    }

    /// <inheritdoc />
    protected override void MergeAdapter(string adapterName)
    {
        using var delta = DeltaWeight(adapterName);
        BaseLayer.weight!.add_(delta);
    }

    /// <inheritdoc />
    protected override void UnmergeAdapter(string adapterName)
    {
        using var delta = DeltaWeight(adapterName);
        BaseLayer.weight!.sub_(delta);
    }

    /// <inheritdoc />
    protected override void RemoveExtra(string adapterName)
    {
        lora_embedding_A.Remove(adapterName)?.Dispose();
        lora_embedding_B.Remove(adapterName)?.Dispose();
    }
}
