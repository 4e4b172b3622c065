namespace PeftSharp.Data;

using System;
using System.IO;
using Microsoft.ML.Tokenizers;

/// <summary>
/// Turns text into token ids with a Microsoft.ML.Tokenizers tokenizer, adds the model's start and end tokens,
/// truncates to <see cref="MaxLength"/> (end token kept) and says how to pad. Thread-safe for encoding.
/// </summary>
public sealed class TextEncoder
{
    private readonly BertTokenizer? bert;

    /// <summary>Wraps any tokenizer.</summary>
    /// <param name="tokenizer">The tokenizer (WordPiece, BPE, SentencePiece, Tiktoken, ...).</param>
    /// <param name="maxLength">Sequences are cut to this many ids, start and end tokens included.</param>
    /// <param name="paddingId">The id that fills padded positions (the attention mask marks them 0).</param>
    /// <param name="startId">An id put first (BERT's [CLS]), or null.</param>
    /// <param name="endId">An id put last (BERT's [SEP]), or null.</param>
    /// <param name="padToMaxLength">Pad every batch to <paramref name="maxLength"/> instead of its longest row.</param>
    public TextEncoder(Tokenizer tokenizer, int maxLength, int paddingId, int? startId = null, int? endId = null, bool padToMaxLength = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var specials = (startId is null ? 0 : 1) + (endId is null ? 0 : 1);
        if (maxLength <= specials)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"The maximum length must leave room for text after {specials} special tokens.");
        }

        Tokenizer = tokenizer;
        bert = tokenizer as BertTokenizer;
        MaxLength = maxLength;
        PaddingId = paddingId;
        StartId = startId;
        EndId = endId;
        PadToMaxLength = padToMaxLength;
    }

    /// <summary>The wrapped tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The most ids a sequence has, special tokens included.</summary>
    public int MaxLength { get; }

    /// <summary>The padding id.</summary>
    public int PaddingId { get; }

    /// <summary>The id put first, if any.</summary>
    public int? StartId { get; }

    /// <summary>The id put last, if any.</summary>
    public int? EndId { get; }

    /// <summary>Whether batches are padded to <see cref="MaxLength"/> rather than to their longest row.</summary>
    public bool PadToMaxLength { get; }

    /// <summary>
    /// A BERT WordPiece encoder from a vocab.txt (one token per line): [CLS] text [SEP], padded with [PAD].
    /// </summary>
    /// <param name="vocabPath">The vocab.txt file.</param>
    /// <param name="maxLength">Maximum sequence length, [CLS] and [SEP] included.</param>
    /// <param name="lowerCase">Lower-case and strip accents before tokenizing (true for uncased models).</param>
    /// <param name="padToMaxLength">Pad every batch to <paramref name="maxLength"/>.</param>
    public static TextEncoder ForBert(string vocabPath, int maxLength, bool lowerCase = true, bool padToMaxLength = false)
    {
        ArgumentNullException.ThrowIfNull(vocabPath);
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"BERT vocabulary '{vocabPath}' does not exist.", vocabPath);
        }

        using var stream = File.OpenRead(vocabPath);
        return ForBert(stream, maxLength, lowerCase, padToMaxLength);
    }

    /// <summary>A BERT WordPiece encoder from a vocab.txt stream.</summary>
    /// <param name="vocab">The vocabulary, one token per line.</param>
    /// <param name="maxLength">Maximum sequence length, [CLS] and [SEP] included.</param>
    /// <param name="lowerCase">Lower-case and strip accents before tokenizing (true for uncased models).</param>
    /// <param name="padToMaxLength">Pad every batch to <paramref name="maxLength"/>.</param>
    public static TextEncoder ForBert(Stream vocab, int maxLength, bool lowerCase = true, bool padToMaxLength = false)
    {
        BertTokenizer tokenizer;
        try
        {
            // As Hugging Face's BertTokenizer: an uncased vocabulary also strips accents ("Café" -> "cafe"); without
            // that, every accented word of an uncased model becomes [UNK].
            tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The BERT vocabulary could not be loaded ({e.Message}); it needs [CLS], [SEP], [PAD], [UNK] and [MASK] lines.", e);
        }

        return new TextEncoder(tokenizer, maxLength, tokenizer.PaddingTokenId, tokenizer.ClassificationTokenId, tokenizer.SeparatorTokenId, padToMaxLength);
    }

    /// <summary>A byte-pair-encoding encoder from a vocab.json and merges.txt, splitting words at whitespace and punctuation.</summary>
    /// <param name="vocabJsonPath">JSON object of token to id.</param>
    /// <param name="mergesPath">The merges file (one pair a line).</param>
    /// <param name="maxLength">Maximum sequence length.</param>
    /// <param name="paddingId">Padding id.</param>
    /// <param name="unknownToken">The token for unknown pieces, or null.</param>
    /// <param name="startId">An id put first, or null.</param>
    /// <param name="endId">An id put last, or null.</param>
    public static TextEncoder ForBpe(
        string vocabJsonPath, string mergesPath, int maxLength, int paddingId, string? unknownToken = null, int? startId = null, int? endId = null)
    {
        foreach (var path in new[] { vocabJsonPath, mergesPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"BPE file '{path}' does not exist.", path);
            }
        }

        var tokenizer = BpeTokenizer.Create(
            vocabJsonPath, mergesPath, PreTokenizer.CreateWordOrPunctuation(), normalizer: null, specialTokens: null, unknownToken: unknownToken);
        return new TextEncoder(tokenizer, maxLength, paddingId, startId, endId);
    }

    /// <summary>The ids of <paramref name="text"/>: start token, at most MaxLength - specials text ids, end token.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hasStart = StartId is not null;
        var hasEnd = EndId is not null;
        var room = MaxLength - (hasStart ? 1 : 0) - (hasEnd ? 1 : 0);

        // The tokenizer stops after `room` ids, so a long document costs no more than its kept prefix.
        var ids = bert is not null
            ? bert.EncodeToIds(text, room, addSpecialTokens: false, out _, out _)
            : Tokenizer.EncodeToIds(text, room, out _, out _);
        var count = Math.Min(ids.Count, room);
        var result = new int[count + (hasStart ? 1 : 0) + (hasEnd ? 1 : 0)];
        var at = 0;
        if (hasStart)
        {
            result[at++] = StartId!.Value;
        }

        for (var i = 0; i < count; i++)
        {
            result[at++] = ids[i];
        }

        if (hasEnd)
        {
            result[at] = EndId!.Value;
        }

        return result;
    }
}
