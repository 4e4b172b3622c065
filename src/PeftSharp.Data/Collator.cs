namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Turns rows (references into decoded blocks) into one <see cref="Batch"/> of padded tensors.</summary>
internal static class Collator
{
    public static Batch Collate(IReadOnlyList<DataInput> inputs, List<(RowBlock Block, int Index)> rows, BatchOptions options)
    {
        var n = rows.Count;
        var ids = new long[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = rows[i].Block.RowIds[rows[i].Index];
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            for (var p = 0; p < inputs.Count; p++)
            {
                switch (inputs[p])
                {
                    case NumberInput number:
                    {
                        var width = number.Features.Count;
                        var values = new float[n * width];
                        // Blocks are row-major; consecutive rows of one block (the unshuffled case) go as one copy.
                        for (var i = 0; i < n;)
                        {
                            var (block, start) = rows[i];
                            var run = 1;
                            while (i + run < n && ReferenceEquals(rows[i + run].Block, block) && rows[i + run].Index == start + run)
                            {
                                run++;
                            }

                            ((float[])block.Payloads[p]).AsSpan(start * width, run * width).CopyTo(values.AsSpan(i * width));
                            i += run;
                        }

                        Add(tensors, number.Name, torch.tensor(values, [n, width]), options);
                        break;
                    }

                    case LabelInput or CategoryInput:
                    {
                        var values = new long[n];
                        for (var i = 0; i < n; i++)
                        {
                            values[i] = rows[i].Block.Payloads[p] is long[] column
                                ? column[rows[i].Index]
                                : throw new InvalidOperationException($"Category input '{inputs[p].Name}' has no vocabulary; call FitCategoriesAsync on the training split first.");
                        }

                        Add(tensors, inputs[p].Name, torch.tensor(values, [n]), options);
                        break;
                    }

                    case TextInput text:
                        AddSequences(tensors, text.Name, n, i => ToLong(((int[][])rows[i].Block.Payloads[p])[rows[i].Index]),
                            text.Encoder.MaxLength, text.Encoder.PaddingId, text.Encoder.PadToMaxLength, options);
                        break;

                    case TokenIdsInput tokens:
                        AddSequences(tensors, tokens.Name, n, i => ((long[][])rows[i].Block.Payloads[p])[rows[i].Index],
                            tokens.MaxLength, tokens.PaddingId, tokens.PadToMaxLength, options);
                        break;

                    case ImageInput image:
                        Add(tensors, image.Name, CollateImages(image, p, rows, options), options);
                        break;

                    default:
                        throw new NotSupportedException($"Input kind {inputs[p].GetType().Name} is not supported.");
                }
            }

            return new Batch(tensors, ids);
        }
        catch
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    private static Tensor CollateImages(ImageInput image, int p, List<(RowBlock Block, int Index)> rows, BatchOptions options)
    {
        var format = image.Format;
        var size = format.Channels * format.Height * format.Width;
        var values = new float[rows.Count * size];
        var augmentation = options.Augment ? format.Augmentation : null;
        for (var i = 0; i < rows.Count; i++)
        {
            var (block, index) = rows[i];
            var rowId = block.RowIds[index];
            byte[]? pixels = null;
            float[]? floats = null;
            switch (block.Payloads[p])
            {
                case float[][] column:
                    floats = column[index];
                    break;
                case byte[][] column when format.Encoding == ImageEncoding.Encoded:
                    try
                    {
                        pixels = ImageProcessor.Decode(column[index], format.Channels, format.Height, format.Width);
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"Image at row {rowId} of column '{image.Column}': {e.Message}", e);
                    }

                    break;
                case byte[][] column:
                    pixels = column[index];
                    break;
            }

            // One generator per (seed, epoch, row): the same row gets the same crop in a rerun, whatever the batch or thread.
            var random = augmentation is null ? null : new DeterministicRandom(StableHash.Combine(options.Seed, options.Epoch, rowId));
            ImageProcessor.Normalise(format, pixels, floats, values.AsSpan(i * size, size), augmentation, random);
        }

        return torch.tensor(values, [rows.Count, format.Channels, format.Height, format.Width]);
    }

    private static long[] ToLong(int[] ids) => Array.ConvertAll(ids, id => (long)id);

    private static void AddSequences(
        Dictionary<string, Tensor> tensors, string name, int n, Func<int, long[]> row, int maxLength, long paddingId, bool padToMax, BatchOptions options)
    {
        var sequences = new long[n][];
        var longest = 1;
        for (var i = 0; i < n; i++)
        {
            sequences[i] = row(i);
            longest = Math.Max(longest, Math.Min(sequences[i].Length, maxLength));
        }

        var length = padToMax ? maxLength : longest;
        var ids = new long[n * length];
        var mask = new long[n * length];
        Array.Fill(ids, paddingId);
        for (var i = 0; i < n; i++)
        {
            var count = Math.Min(sequences[i].Length, length);
            Array.Copy(sequences[i], 0, ids, i * length, count);
            Array.Fill(mask, 1L, i * length, count);
        }

        Add(tensors, name, torch.tensor(ids, [n, length]), options);
        Add(tensors, name + ".attention_mask", torch.tensor(mask, [n, length]), options);
    }

    private static void Add(Dictionary<string, Tensor> tensors, string name, Tensor tensor, BatchOptions options)
    {
        if (options.Device is { } device && device.type != DeviceType.CPU)
        {
            var moved = tensor.to(device);
            tensor.Dispose();
            tensor = moved;
        }

        tensors.Add(name, tensor);
    }
}
